/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Preloaded into gtk4-builder-tool by the "ui-validate" tests: the tool knows only
 * GTK's types, so this registers libadwaita's before it starts, and stand-ins of
 * the app's own widgets that the UI files use as children (their own templates
 * are validated on their own).
 */
#include <adwaita.h>

/* a plain AdwBin under the name the window's template uses */
typedef struct {
	AdwBin parent_instance;
} VfUiStandIn;
typedef struct {
	AdwBinClass parent_class;
} VfUiStandInClass;

static void
vf_ui_stand_in_class_init(VfUiStandInClass *klass)
{
}

static void
vf_ui_stand_in_init(VfUiStandIn *self)
{
}

static void register_types(void) __attribute__((constructor));

static void
register_types(void)
{
	g_type_register_static_simple(ADW_TYPE_BIN,
				      "VfAdminUsersPage",
				      sizeof(VfUiStandInClass),
				      (GClassInitFunc)(void (*)(void))vf_ui_stand_in_class_init,
				      sizeof(VfUiStandIn),
				      (GInstanceInitFunc)(void (*)(void))vf_ui_stand_in_init,
				      0);
	g_type_ensure(ADW_TYPE_APPLICATION_WINDOW);
	g_type_ensure(ADW_TYPE_WINDOW);
}
