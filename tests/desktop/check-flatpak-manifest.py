#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks flatpak/org.videoflix.Admin.json without flatpak-builder's runtime: valid
# JSON, the fields a build needs, the sandbox holes we allow (and no file system
# access: the file chooser goes through the portal), a meson module that builds
# this repository with the app on and the server off, and that it agrees with the
# desktop file and the metainfo; with flatpak-builder given, that its parser reads
# every field. Prints TAP.
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

manifest_path, desktop_path, metainfo_path, readme_path = sys.argv[1:5]
flatpak_builder = sys.argv[5] if len(sys.argv) > 5 else None
checks = []


def check(name, ok, detail=""):
    checks.append((name, bool(ok), detail))


with open(manifest_path, encoding="utf-8") as f:
    try:
        manifest = json.load(f)
        check("valid JSON", True)
    except json.JSONDecodeError as e:
        check("valid JSON", False, str(e))
        manifest = {}

for field in ("id", "runtime", "runtime-version", "sdk", "command", "finish-args", "modules"):
    check(f"has {field}", field in manifest)
check("id", manifest.get("id") == "org.videoflix.Admin", manifest.get("id"))
check("runtime", manifest.get("runtime") == "org.gnome.Platform", manifest.get("runtime"))
check("sdk", manifest.get("sdk") == "org.gnome.Sdk", manifest.get("sdk"))
check("runtime-version is a GNOME release",
      re.fullmatch(r"4[4-9]|[5-9][0-9]", str(manifest.get("runtime-version", ""))),
      manifest.get("runtime-version"))

finish = manifest.get("finish-args", [])
for arg in ("--socket=wayland", "--socket=fallback-x11", "--share=ipc", "--device=dri",
            "--talk-name=org.videoflix.Admin1", "--system-talk-name=org.videoflix.Admin1"):
    check(f"finish-args has {arg}", arg in finish)
check("no file system access (the portal gives files)",
      not any(a.startswith("--filesystem") for a in finish), finish)
check("no other bus names",
      all(a.split("=", 1)[1] == "org.videoflix.Admin1"
          for a in finish if a.startswith(("--talk-name", "--system-talk-name", "--own-name"))))
check("finish-args unique", len(finish) == len(set(finish)))
if "--share=network" in finish:
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read()
    check("README says why --share=network", "--share=network" in readme)

modules = manifest.get("modules", [])
app = modules[-1] if modules and isinstance(modules[-1], dict) else {}
check("last module builds with meson", app.get("buildsystem") == "meson", app.get("buildsystem"))
opts = app.get("config-opts", [])
check("admin_app enabled", "-Dadmin_app=enabled" in opts, opts)
check("daemon disabled (no libpq, GStreamer)", "-Ddaemon=disabled" in opts, opts)
sources = app.get("sources", [])
check("source is this repository",
      any(s.get("type") == "dir" and s.get("path") == ".." for s in sources), sources)

with open(desktop_path, encoding="utf-8") as f:
    exec_line = next((line.split("=", 1)[1].split()[0] for line in f
                      if line.startswith("Exec=")), None)
check("desktop Exec runs the manifest's command", exec_line == manifest.get("command"), exec_line)
component = ET.parse(metainfo_path).getroot()
check("metainfo id is the app id", component.findtext("id") == manifest.get("id"))
launchable = component.findtext("launchable")
check("metainfo launches the desktop file", launchable == manifest.get("id") + ".desktop")

# flatpak-builder's own parser (no runtime needed): it drops what it does not know,
# so the manifest must come back unchanged
if flatpak_builder:
    shown = subprocess.run([flatpak_builder, "--show-manifest", manifest_path],
                           capture_output=True, text=True)
    check("flatpak-builder --show-manifest parses it", shown.returncode == 0, shown.stderr)
    try:
        parsed = json.loads(shown.stdout)
    except json.JSONDecodeError:
        parsed = None
    check("flatpak-builder knows every field", parsed == manifest,
          shown.stderr.strip() or parsed)

print("TAP version 13")
print(f"1..{len(checks)}")
for number, (name, ok, detail) in enumerate(checks, 1):
    print(f"{'ok' if ok else 'not ok'} {number} - {name}")
    if not ok and detail:
        print(f"# got: {detail!r}")
sys.exit(0 if all(ok for _, ok, _ in checks) else 1)
