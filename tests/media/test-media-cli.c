#include "config.h"

#include "vf-test-util.h"
int main(int argc, char **argv);
int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 10);
	return g_test_run();
}
