/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl videos: list, show, add (optionally waiting for the transcode),
 * update and delete, each one Admin1 call. Main thread of videoflixctl.
 */
#include "config.h"

#include "vf-ctl-videos.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vf-ctl-output.h"

static const VfCtlColumn list_columns[] = {
    {"id", N_("ID"), VF_CTL_FORMAT_NUMBER, FALSE},
    {"title", N_("TITLE"), VF_CTL_FORMAT_TEXT, TRUE},
    {"category", N_("CATEGORY"), VF_CTL_FORMAT_TEXT, TRUE},
    {"status", N_("STATUS"), VF_CTL_FORMAT_STATE, FALSE},
    {"progress", N_("PROGRESS"), VF_CTL_FORMAT_PERCENT, FALSE},
    {"duration", N_("DURATION"), VF_CTL_FORMAT_DURATION, FALSE},
    {"resolutions", N_("RESOLUTIONS"), VF_CTL_FORMAT_TEXT, TRUE},
    {"created_at", N_("CREATED"), VF_CTL_FORMAT_DATE, FALSE},
};

static const VfCtlColumn show_fields[] = {
    {"id", N_("ID"), VF_CTL_FORMAT_TEXT, FALSE},
    {"title", N_("Title"), VF_CTL_FORMAT_TEXT, FALSE},
    {"description", N_("Description"), VF_CTL_FORMAT_TEXT, FALSE},
    {"category", N_("Category"), VF_CTL_FORMAT_TEXT, FALSE},
    {"status", N_("Status"), VF_CTL_FORMAT_STATE, FALSE},
    {"progress", N_("Progress"), VF_CTL_FORMAT_PERCENT, FALSE},
    {"duration", N_("Duration"), VF_CTL_FORMAT_DURATION, FALSE},
    {"resolutions", N_("Resolutions"), VF_CTL_FORMAT_TEXT, FALSE},
    {"created_at", N_("Created"), VF_CTL_FORMAT_DATE, FALSE},
    {"thumbnail_url", N_("Thumbnail"), VF_CTL_FORMAT_TEXT, FALSE},
    {"error", N_("Error"), VF_CTL_FORMAT_TEXT, FALSE},
};

static gint
videos_list(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) records = NULL;
	g_autoptr(GError) error = NULL;

	if (!vf_ctl_invocation_parse(
		invocation, entries, "", N_("List every video, newest first."), &argc, &argv, 0, 0))
		return VF_CTL_EXIT_USAGE;
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	reply = vf_ctl_bus_call(bus, "ListVideos", NULL, G_VARIANT_TYPE("(aa{sv})"), -1, &error);
	if (reply == NULL)
		return vf_ctl_invocation_fail(invocation, bus, error);
	records = g_variant_get_child_value(reply, 0);
	vf_ctl_output_print_records(records, list_columns, G_N_ELEMENTS(list_columns), json);
	return VF_CTL_EXIT_OK;
}

static gint
videos_show(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) record = NULL;
	g_autoptr(GError) error = NULL;
	gint64 id = 0;

	if (!vf_ctl_invocation_parse(
		invocation, entries, N_("ID"), N_("Show one video."), &argc, &argv, 1, 1))
		return VF_CTL_EXIT_USAGE;
	if (!vf_ctl_invocation_parse_id(invocation, argv[1], &id))
		return VF_CTL_EXIT_USAGE;
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	reply = vf_ctl_bus_call(
	    bus, "GetVideo", g_variant_new("(x)", id), G_VARIANT_TYPE("(a{sv})"), -1, &error);
	if (reply == NULL)
		return vf_ctl_invocation_fail(invocation, bus, error);
	record = g_variant_get_child_value(reply, 0);
	vf_ctl_output_print_record(record, show_fields, G_N_ELEMENTS(show_fields), json);
	return VF_CTL_EXIT_OK;
}

/* "clip" for "/tmp/clip.mp4" */
static gchar *
title_from_path(const gchar *path)
{
	g_autofree gchar *base = g_path_get_basename(path);
	gchar *dot = strrchr(base, '.');

	if (dot != NULL && dot != base)
		*dot = '\0';
	return g_steal_pointer(&base);
}

static gint
videos_add(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	g_autofree gchar *title = NULL;
	g_autofree gchar *description = NULL;
	g_autofree gchar *category = NULL;
	gboolean wait = FALSE;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
	    {"title",
	     't',
	     0,
	     G_OPTION_ARG_STRING,
	     &title,
	     N_("The title (default: the file name without extension)"),
	     N_("TITLE")},
	    {"description",
	     'd',
	     0,
	     G_OPTION_ARG_STRING,
	     &description,
	     N_("A description"),
	     N_("TEXT")},
	    {"category", 'c', 0, G_OPTION_ARG_STRING, &category, N_("A category"), N_("NAME")},
	    {"wait",
	     'w',
	     0,
	     G_OPTION_ARG_NONE,
	     &wait,
	     N_("Show the transcode's progress and wait until it ends"),
	     NULL},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the new ids as JSON"), NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(VfCtlWatch) watch = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *id_text = NULL;
	g_autofree gchar *job_text = NULL;
	gint64 id = 0;
	gint64 job_id = 0;
	gint status = VF_CTL_EXIT_OK;

	if (!vf_ctl_invocation_parse(
		invocation,
		entries,
		N_("FILE"),
		N_("Add a video from a file in one of the daemon's import folders "
		   "(IMPORT_DIRS) and queue its transcode."),
		&argc,
		&argv,
		1,
		1))
		return VF_CTL_EXIT_USAGE;
	/* the daemon resolves nothing against our working directory */
	path = g_canonicalize_filename(argv[1], NULL);
	if (title == NULL)
		title = title_from_path(path);
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	/* before the call: a short clip may be done before AddVideo answers */
	if (wait)
		watch = vf_ctl_watch_new(bus, vf_ctl_output_watch_mode(invocation, json));
	reply = vf_ctl_bus_call(bus,
				"AddVideo",
				g_variant_new("(ssss)",
					      path,
					      title,
					      description != NULL ? description : "",
					      category != NULL ? category : ""),
				G_VARIANT_TYPE("(xx)"),
				G_MAXINT,
				&error);
	if (reply == NULL)
		return vf_ctl_invocation_fail(invocation, bus, error);
	g_variant_get(reply, "(xx)", &id, &job_id);
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	job_text = g_strdup_printf("%" G_GINT64_FORMAT, job_id);
	if (!json) {
		/* TRANSLATORS: the video's id and its transcode job's id */
		g_print(_("Added video %s, transcoding in job %s.\n"), id_text, job_text);
	}
	if (wait)
		status = vf_ctl_output_wait_job(watch, job_id);
	if (json)
		vf_ctl_output_print_json_ids("id", id, "job_id", job_id);
	return status;
}

static gint
videos_update(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	g_autofree gchar *title = NULL;
	g_autofree gchar *description = NULL;
	g_autofree gchar *category = NULL;
	g_autofree gchar *file = NULL;
	gboolean wait = FALSE;
	const GOptionEntry entries[] = {
	    {"title", 't', 0, G_OPTION_ARG_STRING, &title, N_("A new title"), N_("TITLE")},
	    {"description",
	     'd',
	     0,
	     G_OPTION_ARG_STRING,
	     &description,
	     N_("A new description"),
	     N_("TEXT")},
	    {"category", 'c', 0, G_OPTION_ARG_STRING, &category, N_("A new category"), N_("NAME")},
	    {"file",
	     'f',
	     0,
	     G_OPTION_ARG_FILENAME,
	     &file,
	     N_("A new source, transcoded while the old one keeps playing"),
	     N_("FILE")},
	    {"wait",
	     'w',
	     0,
	     G_OPTION_ARG_NONE,
	     &wait,
	     N_("With --file: show the transcode's progress and wait until it ends"),
	     NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_auto(GVariantBuilder) changes = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(VfCtlWatch) watch = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *id_text = NULL;
	gint64 id = 0;
	gint64 job_id = 0;

	if (!vf_ctl_invocation_parse(invocation,
				     entries,
				     N_("ID"),
				     N_("Change a video's title, description, category or source."),
				     &argc,
				     &argv,
				     1,
				     1))
		return VF_CTL_EXIT_USAGE;
	if (!vf_ctl_invocation_parse_id(invocation, argv[1], &id))
		return VF_CTL_EXIT_USAGE;
	if (title == NULL && description == NULL && category == NULL && file == NULL)
		return vf_ctl_invocation_usage_error(
		    invocation,
		    "%s",
		    _("Nothing to change: give --title, --description, --category or --file"));
	if (title != NULL)
		g_variant_builder_add(&changes, "{sv}", "title", g_variant_new_string(title));
	if (description != NULL)
		g_variant_builder_add(
		    &changes, "{sv}", "description", g_variant_new_string(description));
	if (category != NULL)
		g_variant_builder_add(&changes, "{sv}", "category", g_variant_new_string(category));
	if (file != NULL) {
		g_autofree gchar *path = g_canonicalize_filename(file, NULL);
		g_variant_builder_add(&changes, "{sv}", "path", g_variant_new_string(path));
	}
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	if (wait && file != NULL)
		watch = vf_ctl_watch_new(bus, vf_ctl_output_watch_mode(invocation, FALSE));
	reply = vf_ctl_bus_call(bus,
				"UpdateVideo",
				g_variant_new("(xa{sv})", id, &changes),
				G_VARIANT_TYPE("(x)"),
				G_MAXINT,
				&error);
	if (reply == NULL)
		return vf_ctl_invocation_fail(invocation, bus, error);
	g_variant_get(reply, "(x)", &job_id);
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	if (job_id > 0) {
		g_autofree gchar *job_text = g_strdup_printf("%" G_GINT64_FORMAT, job_id);
		g_print(_("Updated video %s, transcoding the new source in job %s.\n"),
			id_text,
			job_text);
	} else {
		g_print(_("Updated video %s.\n"), id_text);
	}
	if (watch != NULL && job_id > 0)
		return vf_ctl_output_wait_job(watch, job_id);
	return VF_CTL_EXIT_OK;
}

static gint
videos_delete(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint status = VF_CTL_EXIT_OK;

	if (!vf_ctl_invocation_parse(
		invocation,
		NULL,
		N_("ID…"),
		N_("Delete videos with their files; a running transcode is cancelled."),
		&argc,
		&argv,
		1,
		-1))
		return VF_CTL_EXIT_USAGE;
	for (gint i = 1; i < argc; i++) {
		gint64 id = 0;
		if (!vf_ctl_invocation_parse_id(invocation, argv[i], &id))
			return VF_CTL_EXIT_USAGE;
		g_array_append_val(ids, id);
	}
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		g_autofree gchar *id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
		g_autoptr(GVariant) reply = NULL;
		g_autoptr(GError) error = NULL;

		reply = vf_ctl_bus_call(
		    bus, "DeleteVideo", g_variant_new("(x)", id), G_VARIANT_TYPE_UNIT, -1, &error);
		if (reply == NULL)
			status = vf_ctl_invocation_fail(invocation, bus, error);
		else
			g_print(_("Deleted video %s.\n"), id_text);
	}
	return status;
}

static const VfCtlCommand commands[] = {
    {"list", N_("List every video, newest first"), videos_list},
    {"show", N_("Show one video"), videos_show},
    {"add", N_("Add a video from a file and transcode it"), videos_add},
    {"update", N_("Change a video's fields or source"), videos_update},
    {"delete", N_("Delete videos and their files"), videos_delete},
    {NULL, NULL, NULL},
};

const VfCtlCommand *
vf_ctl_videos_get_commands(void)
{
	return commands;
}
