#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks docker-compose.yml offline with Debian's docker-compose (v1.29, no engine needed):
# it parses, refuses to start without SECRET_KEY, and the resolved stack has the shape the
# README promises (scalable workers, one media volume at MEDIA_ROOT, health-gated start).
# Usage: test-deploy-compose.py DOCKER-COMPOSE COMPOSE-FILE README
import os
import re
import subprocess
import sys
import tempfile

import yaml

import vf_deploy_tap

SECRET = "0123456789abcdef0123456789abcdef-deploy-test"
# settings of the README table that the compose stack does not pass to videoflixd on purpose
NOT_PASSED = {
    "WORKER_PATH",  # the image's videoflix-worker, beside videoflixd
    "LADDER_FILE",  # the installed ladder; a custom one needs a volume as well
    "TRANSCODE_CONCURRENCY",  # the API node publishes jobs; the workers transcode
}

if len(sys.argv) != 4:
    vf_deploy_tap.bail_out("usage: test-deploy-compose.py DOCKER-COMPOSE COMPOSE-FILE README")
compose_program, compose_file, readme = sys.argv[1:]
if not compose_program:
    vf_deploy_tap.bail_out("docker-compose not found: apt-get install docker-compose")

# an empty env file and a clean environment: a developer's .env must not change the outcome
empty_env = tempfile.NamedTemporaryFile("w", prefix="vf-deploy-", suffix=".env")


def compose(*args, secret=SECRET):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir()}
    if secret is not None:
        env["SECRET_KEY"] = secret
    return subprocess.run(
        [compose_program, "--env-file", empty_env.name, "-f", compose_file, *args],
        env=env,
        capture_output=True,
        text=True,
    )


result = compose("config")
if result.returncode != 0:
    vf_deploy_tap.bail_out(f"docker-compose config failed: {result.stderr.strip()}")
stack = yaml.safe_load(result.stdout)
services = stack["services"]
api = services.get("api", {})
worker = services.get("worker", {})
media_root = api.get("environment", {}).get("MEDIA_ROOT")


def seconds(text):
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", str(text))
    assert match and match.group(0), f"cannot read duration {text!r}"
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def volume_targets(service):
    targets = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        targets[source] = target
    return targets


def command_words(service):
    command = service.get("command", [])
    return command if isinstance(command, list) else command.split()


def config_q_accepts_the_file():
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def config_refuses_a_missing_secret_key():
    result = compose("config", "-q", secret=None)
    assert result.returncode != 0, "docker-compose accepted the file without SECRET_KEY"
    assert "SECRET_KEY" in result.stderr, result.stderr


def the_stack_has_postgres_nats_api_and_worker():
    assert set(services) == {"postgres", "nats", "api", "worker"}, sorted(services)


def api_waits_for_healthy_postgres_and_nats():
    depends = api.get("depends_on", {})
    for name in ("postgres", "nats"):
        assert depends.get(name, {}).get("condition") == "service_healthy", depends
        assert "healthcheck" in services[name], f"{name} has no healthcheck"


def api_runs_videoflixd_without_dbus_and_checks_readyz():
    words = command_words(api)
    assert words[:1] == ["videoflixd"] and "--dbus=none" in words, words
    test = " ".join(api.get("healthcheck", {}).get("test", []))
    assert "/readyz" in test, test
    assert api["environment"].get("NATS_URL", "").startswith("nats://nats:"), api["environment"]
    assert api.get("ports"), "the API publishes no port"


def worker_scales_without_fixed_names_or_ports():
    assert "container_name" not in worker, "container_name breaks --scale"
    assert "ports" not in worker, "host ports break --scale"
    assert "hostname" not in worker, "a fixed hostname gives every replica the same node name"
    assert worker.get("image") == api.get("image"), "api and worker must run the same image"


def worker_gets_nats_media_root_and_a_unique_name():
    command = " ".join(command_words(worker))
    assert "videoflix-worker" in command, command
    assert re.search(r"--nats nats://nats:\d+", command), command
    assert f"--media-root {media_root}" in command, f"{command} (MEDIA_ROOT {media_root})"
    assert re.search(r"--name \S*\$\$?\(hostname\)", command), command


def worker_has_time_to_hand_back_its_job():
    grace = seconds(worker.get("stop_grace_period", "10s"))
    assert grace > 30, f"stop_grace_period {grace}s is not above the worker's 30 s"


def api_and_worker_share_media_at_media_root():
    assert media_root, "api sets no MEDIA_ROOT"
    for name, service in (("api", api), ("worker", worker)):
        assert volume_targets(service).get("media") == media_root, (name, service.get("volumes"))
    assert "media" in stack.get("volumes", {}), "media is not a named volume"


def nats_keeps_jetstream_on_a_volume():
    words = command_words(services["nats"])
    assert "-js" in words and "-sd" in words, words
    store = words[words.index("-sd") + 1]
    assert store in volume_targets(services["nats"]).values(), (store, services["nats"])


def api_passes_every_readme_setting():
    text = open(readme, encoding="utf-8").read()
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    assert len(names) > 20, f"README's settings table not found ({sorted(names)})"
    missing = sorted(names - set(api["environment"]) - NOT_PASSED)
    assert not missing, (
        f"README settings not in docker-compose.yml's api environment: {missing}; "
        "add them there or to NOT_PASSED in this test"
    )


vf_deploy_tap.run(
    [
        config_q_accepts_the_file,
        config_refuses_a_missing_secret_key,
        the_stack_has_postgres_nats_api_and_worker,
        api_waits_for_healthy_postgres_and_nats,
        api_runs_videoflixd_without_dbus_and_checks_readyz,
        worker_scales_without_fixed_names_or_ports,
        worker_gets_nats_media_root_and_a_unique_name,
        worker_has_time_to_hand_back_its_job,
        api_and_worker_share_media_at_media_root,
        nats_keeps_jetstream_on_a_volume,
        api_passes_every_readme_setting,
    ]
)
