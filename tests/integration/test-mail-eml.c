/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The .eml files of EMAIL_BACKEND=file read by an independent parser: Python's
 * email package (strict default policy) must find no defects and decode the same
 * subject, text and HTML that were sent.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "vf-mail-file-transport.h"
#include "vf-mail-password-reset.h"
#include "vf-test-util.h"

static const gchar *script =
    "import email, email.policy, json, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    m = email.message_from_binary_file(f, policy=email.policy.default)\n"
    "out = {'subject': str(m['subject']), 'to': str(m['to']), 'from': str(m['from']),\n"
    "       'date': m['date'].datetime.isoformat() if m['date'] else None,\n"
    "       'message_id': m['message-id'], 'type': m.get_content_type(),\n"
    "       'defects': [str(d) for p in m.walk() for d in p.defects],\n"
    "       'text': m.get_body(('plain',)).get_content(),\n"
    "       'html': m.get_body(('html',)).get_content()}\n"
    "print(json.dumps(out))\n";

static JsonObject *
parse_with_python(const gchar *path)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree gchar *output = NULL;

	process = g_subprocess_launcher_spawn(
	    launcher, &error, "/usr/bin/python3", "-c", script, path, NULL);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8(process, NULL, NULL, &output, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_successful(process));
	g_assert_true(json_parser_load_from_data(parser, output, -1, &error));
	g_assert_no_error(error);
	return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static void
test_python_email(void)
{
	g_autofree gchar *dir = vf_test_make_tmpdir("vf-test-mail-eml");
	g_autoptr(VfMailTransport) transport =
	    vf_mail_file_transport_new(dir, "Videoflix <noreply@videoflix.example>");
	g_autoptr(VfMailMessage) message = vf_mail_password_reset_new(
	    "de", "user@example.com", "http://localhost:5500/x.html?uid=MQ&token=a=b");
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) listing = NULL;
	g_autoptr(JsonObject) parsed = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr(GString) long_line = g_string_new(NULL);
	const gchar *name;

	/* a line long enough for soft line breaks, with '=' and a lone dot */
	for (guint i = 0; i < 40; i++)
		g_string_append(long_line, "ä=ö text ");
	text = g_strconcat(message->text, ".\n", long_line->str, "\n", NULL);
	g_free(message->text);
	message->text = g_steal_pointer(&text);
	g_assert_true(vf_mail_transport_send(transport, message, &error));
	g_assert_no_error(error);

	listing = g_dir_open(dir, 0, NULL);
	name = g_dir_read_name(listing);
	g_assert_nonnull(name);
	path = g_build_filename(dir, name, NULL);
	parsed = parse_with_python(path);

	g_assert_cmpuint(
	    json_array_get_length(json_object_get_array_member(parsed, "defects")), ==, 0);
	g_assert_cmpstr(json_object_get_string_member(parsed, "subject"),
			==,
			"Setze dein Videoflix-Konto zurück");
	g_assert_cmpstr(json_object_get_string_member(parsed, "to"), ==, "user@example.com");
	g_assert_cmpstr(json_object_get_string_member(parsed, "from"),
			==,
			"Videoflix <noreply@videoflix.example>");
	g_assert_cmpstr(json_object_get_string_member(parsed, "type"), ==, "multipart/alternative");
	g_assert_nonnull(json_object_get_string_member(parsed, "date"));
	g_assert_nonnull(json_object_get_string_member(parsed, "message_id"));
	g_assert_cmpstr(json_object_get_string_member(parsed, "text"), ==, message->text);
	g_assert_cmpstr(json_object_get_string_member(parsed, "html"), ==, message->html);

	vf_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	vf_mail_language_setup(NULL);
	g_test_add_func("/mail/eml/python-email", test_python_email);
	return g_test_run();
}
