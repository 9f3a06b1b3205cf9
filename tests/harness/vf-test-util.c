/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test helpers shared by every suite. Main thread of the test program.
 */
#include "config.h"

#include "vf-test-util.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static gpointer
watchdog_thread(gpointer data)
{
	guint timeout_s = GPOINTER_TO_UINT(data);
	g_usleep((gulong)timeout_s * G_USEC_PER_SEC);
	g_printerr("test watchdog: still running after %u s, aborting\n", timeout_s);
	abort();
	return NULL;
}

void
vf_test_init(int *argc, char ***argv, guint timeout_s)
{
	g_autofree gchar *localedir = NULL;

	setlocale(LC_ALL, "");
	g_test_init(argc, argv, NULL);
	localedir = vf_test_build_path("po");
	bindtextdomain(GETTEXT_PACKAGE, localedir);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	signal(SIGPIPE, SIG_IGN);
	if (timeout_s > 0)
		g_thread_unref(
		    g_thread_new("test-watchdog", watchdog_thread, GUINT_TO_POINTER(timeout_s)));
}

guint16
vf_test_free_port(void)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);
	guint16 port;
	int fd;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
	port = ntohs(addr.sin_port);
	close(fd);
	return port;
}

gboolean
vf_test_wait_until(gboolean (*cond)(gpointer data), gpointer data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	while (!cond(data)) {
		if (g_get_monotonic_time() > deadline)
			return FALSE;
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(10 * 1000);
	}
	return TRUE;
}

void
vf_test_iterate_for(guint ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < deadline) {
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(5 * 1000);
	}
}

static void
child_setup(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocessLauncher *
vf_test_launcher_new(GSubprocessFlags flags)
{
	GSubprocessLauncher *launcher = g_subprocess_launcher_new(flags);
	g_subprocess_launcher_set_child_setup(launcher, child_setup, NULL, NULL);
	return launcher;
}

gchar *
vf_test_make_tmpdir(const gchar *prefix)
{
	g_autofree gchar *tmpl = g_strdup_printf("%s-XXXXXX", prefix);
	g_autoptr(GError) error = NULL;
	gchar *path = g_dir_make_tmp(tmpl, &error);

	g_assert_no_error(error);
	/* unprivileged helpers (postgres as nobody) must reach their own sub-directory */
	g_chmod(path, 0755);
	return path;
}

void
vf_test_rm_rf(const gchar *path)
{
	g_autoptr(GFile) file = NULL;
	g_autoptr(GFileEnumerator) children = NULL;

	if (path == NULL)
		return;
	file = g_file_new_for_path(path);
	children = g_file_enumerate_children(
	    file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
	if (children != NULL) {
		GFileInfo *info;
		while ((info = g_file_enumerator_next_file(children, NULL, NULL)) != NULL) {
			g_autoptr(GFileInfo) owned = info;
			g_autofree gchar *child =
			    g_build_filename(path, g_file_info_get_name(owned), NULL);
			vf_test_rm_rf(child);
		}
	}
	g_remove(path);
}

gchar *
vf_test_source_path(const gchar *relative)
{
	const gchar *root = g_getenv("VF_SOURCE_ROOT");
	return g_build_filename(root != NULL ? root : VF_SOURCE_ROOT, relative, NULL);
}

gchar *
vf_test_build_path(const gchar *relative)
{
	const gchar *root = g_getenv("VF_BUILD_ROOT");
	return g_build_filename(root != NULL ? root : VF_BUILD_ROOT, relative, NULL);
}
