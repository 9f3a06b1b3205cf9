/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The admin API: POST /api/admin/videos/ (multipart), PATCH and DELETE
 * /api/admin/videos/<id>/, GET /api/admin/jobs/. The upload layer has already
 * streamed the files into MEDIA_ROOT/tmp; here the form is validated, the video
 * probed by a worker child, and the files handed to the catalog service (files not
 * handed over go with the request). Main thread.
 */
#include "config.h"

#include <string.h>

#include "vf-catalog-probe.h"
#include "vf-error.h"
#include "vf-field-errors.h"
#include "vf-http-handlers.h"
#include "vf-http-server.h"
#include "vf-http-upload.h"
#include "vf-http-views.h"

#define PROBE_TIMEOUT_S 30
#define MAX_TITLE	255
#define MAX_CATEGORY	100

typedef struct {
	VfHttpRequest *request;
	VfCatalogService *catalog; /* borrowed from the server */
	gint64 video_id;	   /* 0 when creating */
	VfCatalogUpload upload;
} AdminForm;

static void
admin_form_free(AdminForm *form)
{
	vf_http_request_unref(form->request);
	vf_catalog_upload_clear(&form->upload);
	g_free(form);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AdminForm, admin_form_free)

static void
respond_field_errors(VfHttpRequest *request, VfFieldErrors *errors)
{
	g_autoptr(JsonNode) body = vf_field_errors_to_json(errors);
	vf_http_request_respond_json(request, 400, body);
}

/* a text field of the multipart or JSON body: NULL when absent */
static gchar *
dup_text(VfHttpRequest *request, const gchar *name, VfFieldErrors *errors)
{
	VfHttpMultipart *multipart = vf_http_request_get_multipart(request);
	JsonObject *json;
	JsonNode *node;

	if (multipart != NULL) {
		VfHttpMultipartPart *part = vf_http_multipart_get_part(multipart, name);
		if (part == NULL)
			return NULL;
		if (part->value == NULL ||
		    !g_utf8_validate(part->value->str, part->value->len, NULL)) {
			vf_field_errors_add(errors, name, "Not a valid string.");
			return NULL;
		}
		return g_strdup(part->value->str);
	}
	json = vf_http_request_get_json(request);
	node = json_object_get_member(json, name);
	if (node == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		vf_field_errors_add(errors, name, "Not a valid string.");
		return NULL;
	}
	return g_strdup(json_node_get_string(node));
}

static void
check_length(VfFieldErrors *errors, const gchar *name, const gchar *value, glong max)
{
	g_autofree gchar *message = NULL;

	if (value == NULL || g_utf8_strlen(value, -1) <= max)
		return;
	message = g_strdup_printf("Ensure this field has no more than %ld characters.", max);
	vf_field_errors_add(errors, name, message);
}

/* the file part of that name, checked; NULL when absent or refused */
static VfHttpMultipartPart *
file_part(VfHttpRequest *request,
	  const gchar *name,
	  gboolean required,
	  gchar *(*ext_of)(const gchar *filename),
	  const gchar *allowed,
	  gchar **ext,
	  VfFieldErrors *errors)
{
	VfHttpMultipart *multipart = vf_http_request_get_multipart(request);
	VfHttpMultipartPart *part =
	    multipart != NULL ? vf_http_multipart_get_part(multipart, name) : NULL;
	const gchar *dot;
	g_autofree gchar *message = NULL;

	if (part == NULL && multipart == NULL &&
	    json_object_has_member(vf_http_request_get_json(request), name)) {
		vf_field_errors_add(errors,
				    name,
				    "The submitted data was not a file. Check the encoding type on "
				    "the form.");
		return NULL;
	}
	if (part != NULL && part->filename == NULL) {
		vf_field_errors_add(errors,
				    name,
				    "The submitted data was not a file. Check the encoding type on "
				    "the form.");
		return NULL;
	}
	/* an empty file input of a browser form sends filename="" and no bytes */
	if (part == NULL || (*part->filename == '\0' && part->size == 0)) {
		if (required)
			vf_field_errors_add(errors, name, "No file was submitted.");
		return NULL;
	}
	*ext = ext_of(part->filename);
	if (*ext == NULL) {
		dot = strrchr(part->filename, '.');
		message = g_strdup_printf("File extension “%s” is not allowed. Allowed extensions "
					  "are: %s.",
					  dot != NULL ? dot + 1 : "",
					  allowed);
		vf_field_errors_add(errors, name, message);
		return NULL;
	}
	if (part->size == 0) {
		vf_field_errors_add(errors, name, "The submitted file is empty.");
		g_clear_pointer(ext, g_free);
		return NULL;
	}
	return part;
}

static void
saved_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(AdminForm) form = user_data;
	const VfConfig *config =
	    vf_http_server_get_config(vf_http_request_get_server(form->request));
	g_autoptr(GError) error = NULL;
	g_autoptr(VfCatalogVideo) video = NULL;
	g_autoptr(JsonNode) root = NULL;

	if (form->video_id == 0)
		video = vf_catalog_service_create_video_finish(form->catalog, result, &error);
	else
		video = vf_catalog_service_update_video_finish(form->catalog, result, &error);
	if (video == NULL) {
		vf_http_request_respond_error(form->request, error);
		return;
	}
	root = vf_http_views_video(video, config->public_url, TRUE);
	vf_http_request_respond_json(form->request, form->video_id == 0 ? 201 : 200, root);
}

/* hands the checked form to the catalog, which takes over the files */
static void
save(AdminForm *form)
{
	VfHttpMultipart *multipart = vf_http_request_get_multipart(form->request);
	GCancellable *cancellable = vf_http_request_get_cancellable(form->request);

	if (multipart != NULL) {
		if (form->upload.video_ext != NULL)
			form->upload.video_path =
			    vf_http_multipart_steal_file(multipart, "video_file");
		if (form->upload.thumbnail_ext != NULL)
			form->upload.thumbnail_path =
			    vf_http_multipart_steal_file(multipart, "thumbnail");
	}
	if (form->video_id == 0)
		vf_catalog_service_create_video_async(
		    form->catalog, &form->upload, cancellable, saved_cb, form);
	else
		vf_catalog_service_update_video_async(
		    form->catalog, form->video_id, &form->upload, cancellable, saved_cb, form);
}

static void
probed_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(AdminForm) form = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_catalog_probe_finish(result, NULL, &error)) {
		if (g_error_matches(error, VF_ERROR, VF_ERROR_MEDIA_INVALID)) {
			g_autoptr(VfFieldErrors) errors = vf_field_errors_new();
			vf_field_errors_add(errors, "video_file", error->message);
			respond_field_errors(form->request, errors);
		} else {
			vf_http_request_respond_error(form->request, error);
		}
		return;
	}
	save(g_steal_pointer(&form));
}

static void
submit(VfHttpRequest *request, gint64 video_id)
{
	VfCatalogService *catalog = vf_http_views_get_catalog(request);
	const VfConfig *config = vf_http_server_get_config(vf_http_request_get_server(request));
	g_autoptr(VfFieldErrors) errors = vf_field_errors_new();
	g_autoptr(AdminForm) form = NULL;
	VfHttpMultipartPart *video;
	VfHttpMultipartPart *thumbnail;
	g_autoptr(GError) error = NULL;

	if (catalog == NULL)
		return;
	form = g_new0(AdminForm, 1);
	form->request = vf_http_request_ref(request);
	form->catalog = catalog;
	form->video_id = video_id;
	form->upload.title = dup_text(request, "title", errors);
	form->upload.description = dup_text(request, "description", errors);
	form->upload.category = dup_text(request, "category", errors);
	if (video_id == 0 && !vf_field_errors_has(errors, "title")) {
		if (form->upload.title == NULL)
			vf_field_errors_add(errors, "title", "This field is required.");
		else if (*g_strstrip(form->upload.title) == '\0')
			vf_field_errors_add(errors, "title", "This field may not be blank.");
	} else if (form->upload.title != NULL && *g_strstrip(form->upload.title) == '\0') {
		vf_field_errors_add(errors, "title", "This field may not be blank.");
	}
	check_length(errors, "title", form->upload.title, MAX_TITLE);
	check_length(errors, "category", form->upload.category, MAX_CATEGORY);
	if (video_id == 0) {
		if (form->upload.description == NULL)
			form->upload.description = g_strdup("");
		if (form->upload.category == NULL)
			form->upload.category = g_strdup("");
	}
	video = file_part(request,
			  "video_file",
			  video_id == 0,
			  vf_http_upload_video_ext,
			  "mp4, mov, mkv, webm, avi",
			  &form->upload.video_ext,
			  errors);
	thumbnail = file_part(request,
			      "thumbnail",
			      FALSE,
			      vf_http_upload_image_ext,
			      "jpg, jpeg, png, gif, webp",
			      &form->upload.thumbnail_ext,
			      errors);
	if (thumbnail != NULL && !vf_http_upload_check_image(thumbnail->path, &error)) {
		vf_field_errors_add(errors, "thumbnail", error->message);
		g_clear_pointer(&form->upload.thumbnail_ext, g_free);
	}
	if (!vf_field_errors_is_empty(errors)) {
		respond_field_errors(request, errors);
		return;
	}
	vf_http_request_pause(request);
	if (video == NULL) {
		save(g_steal_pointer(&form));
		return;
	}
	vf_catalog_probe_async(config->worker_path,
			       video->path,
			       PROBE_TIMEOUT_S,
			       NULL,
			       probed_cb,
			       g_steal_pointer(&form));
}

void
vf_http_admin_create_video(VfHttpRequest *request)
{
	submit(request, 0);
}

void
vf_http_admin_update_video(VfHttpRequest *request)
{
	gint64 id = 0;

	if (!vf_http_views_parse_id(vf_http_request_get_param(request, "id"), &id)) {
		vf_http_request_respond_detail(request, 404, "Not found.");
		return;
	}
	submit(request, id);
}

static void
deleted_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_catalog_service_delete_video_finish(VF_CATALOG_SERVICE(source), result, &error))
		vf_http_request_respond_error(request, error);
	else
		vf_http_request_respond_bytes(request, 204, NULL, NULL);
}

void
vf_http_admin_delete_video(VfHttpRequest *request)
{
	VfCatalogService *catalog = vf_http_views_get_catalog(request);
	gint64 id = 0;

	if (catalog == NULL)
		return;
	if (!vf_http_views_parse_id(vf_http_request_get_param(request, "id"), &id)) {
		vf_http_request_respond_detail(request, 404, "Not found.");
		return;
	}
	vf_http_request_pause(request);
	/* not the request's cancellable: a delete that started finishes */
	vf_catalog_service_delete_video_async(
	    catalog, id, NULL, deleted_cb, vf_http_request_ref(request));
}

static void
jobs_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) jobs =
	    vf_catalog_service_list_jobs_finish(VF_CATALOG_SERVICE(source), result, &error);
	g_autoptr(JsonArray) array = NULL;
	g_autoptr(JsonNode) root = NULL;

	if (jobs == NULL) {
		vf_http_request_respond_error(request, error);
		return;
	}
	array = json_array_sized_new(jobs->len);
	for (guint i = 0; i < jobs->len; i++)
		json_array_add_element(array, vf_http_views_job(g_ptr_array_index(jobs, i)));
	root = json_node_init_array(json_node_alloc(), array);
	vf_http_request_respond_json(request, 200, root);
}

void
vf_http_admin_list_jobs(VfHttpRequest *request)
{
	VfCatalogService *catalog = vf_http_views_get_catalog(request);

	if (catalog == NULL)
		return;
	vf_http_request_pause(request);
	vf_catalog_service_list_jobs_async(catalog,
					   vf_http_request_get_cancellable(request),
					   jobs_done_cb,
					   vf_http_request_ref(request));
}
