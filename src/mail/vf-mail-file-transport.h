/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMailFileTransport: EMAIL_BACKEND=file. Each mail becomes one RFC 5322 .eml
 * file in MAIL_DIR, written atomically (temporary file, then rename), so a reader
 * never sees half a mail. Worker thread; concurrent sends are fine.
 */
#pragma once

#include "vf-mail-transport.h"

G_BEGIN_DECLS

#define VF_TYPE_MAIL_FILE_TRANSPORT (vf_mail_file_transport_get_type())
G_DECLARE_FINAL_TYPE(
    VfMailFileTransport, vf_mail_file_transport, VF, MAIL_FILE_TRANSPORT, VfMailTransport)

/* dir is created (mode 0700) on the first send when missing */
VfMailTransport *vf_mail_file_transport_new(const gchar *dir, const gchar *from);
const gchar *vf_mail_file_transport_get_dir(VfMailFileTransport *self);

G_END_DECLS
