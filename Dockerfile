# SPDX-License-Identifier: GPL-3.0-or-later
#
# Videoflix image: videoflixd (the API node) and videoflix-worker (a transcoding node) in one
# image on Debian 12. The build stage compiles with meson into a DESTDIR; the runtime stage
# holds only the shared libraries, GStreamer plugins and the installed files, and runs as the
# unprivileged user videoflix. docker-compose.yml picks the command per service.
#
# No HEALTHCHECK here: the same image runs the worker, which serves no HTTP. The compose file
# checks the API (/readyz) instead.

FROM debian:bookworm-slim AS build
ARG DEBIAN_FRONTEND=noninteractive
# the -dev packages of .ci/debian-packages (tests/deploy checks the two lists stay in step)
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential \
        meson \
        ninja-build \
        pkg-config \
        gettext \
        libglib2.0-dev \
        libjson-glib-dev \
        libsoup-3.0-dev \
        libpq-dev \
        libjwt-dev \
        libsodium-dev \
        libcurl4-openssl-dev \
        libnats-dev \
        libgstreamer1.0-dev \
        libgstreamer-plugins-base1.0-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN meson setup /build /src --prefix=/usr --buildtype=release \
        -Dtests=false -Dsystemdsystemunitdir=no -Dadmin_app=disabled \
    && ninja -C /build \
    && DESTDIR=/install meson install -C /build --no-rebuild

FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
# a fixed id, so files on a shared MEDIA_ROOT (NFS) belong to the same user on every host
ARG VIDEOFLIX_UID=990
# runtime counterparts of the -dev packages (tests/deploy maps every library the binaries link
# and every GStreamer element the ladder uses to a package of this list); curl for healthchecks,
# locales for the German mails (de_DE.UTF-8)
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates \
        curl \
        locales \
        libglib2.0-0 \
        libjson-glib-1.0-0 \
        libsoup-3.0-0 \
        libpq5 \
        libjwt0 \
        libsodium23 \
        libcurl4 \
        libnats3.4 \
        libgstreamer1.0-0 \
        libgstreamer-plugins-base1.0-0 \
        gstreamer1.0-plugins-base \
        gstreamer1.0-plugins-good \
        gstreamer1.0-plugins-bad \
        gstreamer1.0-plugins-ugly \
        gstreamer1.0-libav \
    && rm -rf /var/lib/apt/lists/* \
    && localedef -i de_DE -f UTF-8 de_DE.UTF-8 \
    && groupadd --system --gid "$VIDEOFLIX_UID" videoflix \
    && useradd --system --uid "$VIDEOFLIX_UID" --gid videoflix \
        --home-dir /var/lib/videoflix --shell /usr/sbin/nologin videoflix \
    && install -d -o videoflix -g videoflix -m 0750 /var/lib/videoflix /var/lib/videoflix/media
COPY --from=build /install/usr/ /usr/

ENV LANG=C.UTF-8 \
    LISTEN=0.0.0.0:8000 \
    MEDIA_ROOT=/var/lib/videoflix/media
USER videoflix
WORKDIR /var/lib/videoflix
VOLUME ["/var/lib/videoflix/media"]
EXPOSE 8000
CMD ["videoflixd", "--dbus=none"]
