#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the Dockerfile without a Docker engine: it parses into known instructions, every COPY
# source is in the build context (.dockerignore included), the build stage installs the -dev
# packages of .ci/debian-packages, and the runtime stage installs the Debian package of every
# library the built executables link and of every GStreamer element the ladder, probe and
# thumbnails use (found with readelf, ldd, gst-inspect-1.0 and dpkg -S on this machine).
# Usage: test-deploy-dockerfile.py SOURCE-ROOT EXECUTABLE...
import fnmatch
import os
import re
import shlex
import subprocess
import sys

import vf_deploy_tap

# the elements of src/media's pipelines (transcoder, thumbnail) and the demuxers and decoders
# of common uploads (MP4/MOV, Matroska/WebM; H.264, AAC); keep in step with src/media
GST_ELEMENTS = [
    "filesrc", "decodebin", "videorate", "tee", "queue", "videoscale", "videoconvert",
    "capsfilter", "x264enc", "h264parse", "hlssink2", "audioconvert", "audioresample",
    "avenc_aac", "aacparse", "appsink", "jpegenc", "qtdemux", "matroskademux", "avdec_h264",
    "avdec_aac",
]
INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
    "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}
# always present in debian:bookworm-slim, or linked only by sanitizer builds
IMPLICIT_PACKAGES = re.compile(
    r"^(libc6|libgcc-s1|libstdc\+\+6|libasan\d*|libubsan\d*|liblsan\d*)$"
)

if len(sys.argv) < 3:
    vf_deploy_tap.bail_out("usage: test-deploy-dockerfile.py SOURCE-ROOT EXECUTABLE...")
root = sys.argv[1]
executables = sys.argv[2:]


def parse(path):
    """Instructions as (keyword, arguments), continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in open(path, encoding="utf-8"):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        text = pending + stripped
        pending = ""
        keyword, _, arguments = text.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends in a continuation line"
    return instructions


instructions = parse(os.path.join(root, "Dockerfile"))
stages = []  # [{"name": ..., "instructions": [...]}]
for keyword, arguments in instructions:
    if keyword == "FROM":
        words = arguments.split()
        name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
        stages.append({"image": words[0], "name": name, "instructions": []})
    elif stages:
        stages[-1]["instructions"].append((keyword, arguments))


def apt_packages(stage):
    packages = set()
    for keyword, arguments in stage["instructions"]:
        if keyword != "RUN":
            continue
        for command in re.split(r"&&|;", arguments):
            words = shlex.split(command)
            if words[:2] == ["apt-get", "install"]:
                packages.update(word for word in words[2:] if not word.startswith("-"))
    return packages


def ci_packages():
    path = os.path.join(root, ".ci", "debian-packages")
    lines = open(path, encoding="utf-8").read().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def dpkg_package(path):
    """The package owning a file, trying the /usr-merged and resolved spellings too."""
    candidates = [path, os.path.realpath(path)]
    for candidate in list(candidates):
        if candidate.startswith("/usr/"):
            candidates.append(candidate[4:])
        else:
            candidates.append("/usr" + candidate)
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    raise AssertionError(f"no Debian package owns {path}")


def ignored(path, patterns):
    """Whether .dockerignore's patterns (the last match wins, ! re-includes) drop path."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        pattern = pattern[3:] if pattern.startswith("**/") else pattern
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p.split("/")[-1], pattern)
               for p in prefixes):
            result = not negate
    return result


runtime = stages[-1] if stages else {"instructions": []}
runtime_packages = apt_packages(runtime)


def every_instruction_is_known():
    unknown = [keyword for keyword, _ in instructions if keyword not in INSTRUCTIONS]
    assert not unknown, f"unknown instructions: {unknown}"
    assert instructions and instructions[0][0] in ("FROM", "ARG"), "no FROM at the top"


def both_stages_are_debian_12_slim():
    assert len(stages) >= 2, f"{len(stages)} stage(s): expected a build and a runtime stage"
    images = {stage["image"] for stage in stages}
    assert images == {"debian:bookworm-slim"}, images


def copy_sources_are_in_the_build_context():
    ignore_file = os.path.join(root, ".dockerignore")
    patterns = []
    if os.path.exists(ignore_file):
        for line in open(ignore_file, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#"):
                patterns.append(line)
    names = {stage["name"] for stage in stages if stage["name"]}
    problems = []
    for stage in stages:
        for keyword, arguments in stage["instructions"]:
            if keyword not in ("COPY", "ADD"):
                continue
            words = shlex.split(arguments)
            options = [word for word in words if word.startswith("--")]
            sources = [word for word in words if not word.startswith("--")][:-1]
            stage_from = [o.split("=", 1)[1] for o in options if o.startswith("--from=")]
            if stage_from:
                if stage_from[0] not in names:
                    problems.append(f"COPY --from={stage_from[0]}: no such stage")
                continue
            for source in sources:
                path = os.path.normpath(os.path.join(root, source))
                if not os.path.exists(path):
                    problems.append(f"{keyword} {source}: not in the source tree")
                elif source not in (".", "./") and ignored(os.path.relpath(path, root), patterns):
                    problems.append(f"{keyword} {source}: excluded by .dockerignore")
    # `COPY . ` must still carry what meson needs
    for needed in ("meson.build", "meson_options.txt", "src", "data", "po", "pipelines"):
        if ignored(needed, patterns):
            problems.append(f".dockerignore drops {needed}, which the build needs")
    assert not problems, "\n".join(problems)


def the_build_stage_has_every_dev_package_of_ci():
    build_packages = set()
    for stage in stages[:-1]:
        build_packages |= apt_packages(stage)
    # the image is the server's: the desktop app (GTK) is built with -Dadmin_app=disabled
    desktop_only = {"libgtk-4-dev", "libadwaita-1-dev"}
    wanted = {p for p in ci_packages() if p.endswith("-dev")} | {"meson", "ninja-build"}
    missing = sorted(wanted - build_packages - desktop_only)
    assert "-Dadmin_app=disabled" in open(os.path.join(root, "Dockerfile")).read(), \
        "the image must build without the desktop app (-Dadmin_app=disabled)"
    assert not missing, f"the build stage does not install {missing}"


def the_runtime_stage_has_every_linked_library():
    problems = []
    for executable in executables:
        needed = subprocess.run(["readelf", "-d", executable], capture_output=True, text=True,
                                check=True).stdout
        sonames = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", needed)
        resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", subprocess.run(
            ["ldd", executable], capture_output=True, text=True, check=True).stdout, re.M))
        for soname in sonames:
            if soname not in resolved:
                problems.append(f"{os.path.basename(executable)}: {soname} not found by ldd")
                continue
            package = dpkg_package(resolved[soname]).split(":")[0]
            if package not in runtime_packages and not IMPLICIT_PACKAGES.match(package):
                problems.append(f"{os.path.basename(executable)} links {soname} from "
                                f"{package}, which the runtime stage does not install")
    assert not problems, "\n".join(problems)


def the_runtime_stage_has_every_gstreamer_element():
    problems = []
    for element in GST_ELEMENTS:
        result = subprocess.run(["gst-inspect-1.0", element], capture_output=True, text=True)
        match = re.search(r"^\s+Filename\s+(\S+)", result.stdout, re.M)
        if result.returncode != 0 or match is None:
            problems.append(f"gst-inspect-1.0 does not know {element} on this machine")
            continue
        package = dpkg_package(match.group(1)).split(":")[0]
        if package not in runtime_packages:
            problems.append(f"{element} comes from {package}, not installed at runtime")
    assert not problems, "\n".join(problems)


def every_runtime_package_exists_in_debian():
    unknown = []
    for package in sorted(runtime_packages):
        result = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True)
        if "Candidate:" not in result.stdout or "Candidate: (none)" in result.stdout:
            unknown.append(package)
    assert not unknown, f"apt knows no candidate for {unknown} (run apt-get update?)"


def the_runtime_runs_as_videoflix_with_media_as_a_volume():
    settings = {}
    for keyword, arguments in runtime["instructions"]:
        settings.setdefault(keyword, []).append(arguments)
    env = " ".join(settings.get("ENV", []))
    media = re.search(r"MEDIA_ROOT=(\S+)", env)
    assert media, "the runtime stage sets no MEDIA_ROOT"
    volume = " ".join(settings.get("VOLUME", []))
    assert media.group(1) in volume, f"MEDIA_ROOT {media.group(1)} is not a VOLUME ({volume})"
    assert settings.get("USER", ["root"])[-1] == "videoflix", settings.get("USER")
    assert any("useradd" in run and "videoflix" in run for run in settings.get("RUN", [])), \
        "the runtime stage creates no videoflix user"
    assert "LISTEN=0.0.0.0:" in env, "videoflixd would listen on loopback only"
    cmd = " ".join(settings.get("CMD", []))
    assert "videoflixd" in cmd and "--dbus=none" in cmd, cmd


vf_deploy_tap.run(
    [
        every_instruction_is_known,
        both_stages_are_debian_12_slim,
        copy_sources_are_in_the_build_context,
        the_build_stage_has_every_dev_package_of_ci,
        the_runtime_stage_has_every_linked_library,
        the_runtime_stage_has_every_gstreamer_element,
        every_runtime_package_exists_in_debian,
        the_runtime_runs_as_videoflix_with_media_as_a_volume,
    ]
)
