/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test broker: nats-server with JetStream, its store and log in a temp dir.
 * Readiness is a TCP connect with a deadline; stop is SIGTERM (a clean shutdown,
 * as in a restart), waited for.
 */
#include "config.h"

#include "vf-test-nats.h"

#include <gio/gio.h>
#include <signal.h>

#include "vf-test-util.h"

struct _VfTestNats {
	gchar *dir;
	gchar *address;
	guint16 port;
	gchar *url;
	guint starts;
	GSubprocess *process;
};

static gboolean
port_accepts(const gchar *address, guint16 port)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) connection = NULL;

	g_socket_client_set_enable_proxy(client, FALSE);
	g_socket_client_set_timeout(client, 2);
	connection = g_socket_client_connect_to_host(client, address, port, NULL, NULL);
	return connection != NULL;
}

void
vf_test_nats_start(VfTestNats *self)
{
	g_autoptr(GSubprocessLauncher) launcher = vf_test_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *port = g_strdup_printf("%u", self->port);
	g_autofree gchar *store = g_build_filename(self->dir, "jetstream", NULL);
	g_autofree gchar *log_name = g_strdup_printf("nats-%u.log", ++self->starts);
	g_autofree gchar *log_path = g_build_filename(self->dir, log_name, NULL);
	gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	const gchar *argv[] = {"nats-server",
			       "-js",
			       "-sd",
			       store,
			       "-a",
			       self->address,
			       "-p",
			       port,
			       "-l",
			       log_path,
			       NULL};

	g_assert_null(self->process);
	self->process = g_subprocess_launcher_spawnv(launcher, argv, &error);
	g_assert_no_error(error);
	while (!port_accepts(self->address, self->port)) {
		if (g_get_monotonic_time() > deadline ||
		    g_subprocess_get_identifier(self->process) == NULL) {
			g_autofree gchar *log = NULL;
			g_file_get_contents(log_path, &log, NULL, NULL);
			g_error("nats-server did not start on %s:%u:\n%s",
				self->address,
				self->port,
				log != NULL ? log : "");
		}
		g_usleep(20 * 1000);
	}
	g_debug("nats-server on %s", self->url);
}

void
vf_test_nats_stop(VfTestNats *self)
{
	if (self->process == NULL)
		return;
	g_subprocess_send_signal(self->process, SIGTERM);
	g_subprocess_wait(self->process, NULL, NULL);
	g_clear_object(&self->process);
}

VfTestNats *
vf_test_nats_new(const gchar *address)
{
	VfTestNats *self = g_new0(VfTestNats, 1);

	self->dir = vf_test_make_tmpdir("vf-test-nats");
	self->address = g_strdup(address != NULL ? address : "127.0.0.1");
	self->port = vf_test_free_port();
	self->url = g_strdup_printf("nats://%s:%u", self->address, self->port);
	vf_test_nats_start(self);
	return self;
}

const gchar *
vf_test_nats_get_url(VfTestNats *self)
{
	return self->url;
}

void
vf_test_nats_free(VfTestNats *self)
{
	if (self == NULL)
		return;
	vf_test_nats_stop(self);
	vf_test_rm_rf(self->dir);
	g_free(self->dir);
	g_free(self->address);
	g_free(self->url);
	g_free(self);
}
