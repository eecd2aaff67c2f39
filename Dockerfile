# Weir in one small image: `weir`, `tcp-echo-server` and `tcp-echo-client` in
# /usr/local/bin, run as the non-root user `weir`. docker-compose.yml uses it for
# all three services of the walk-through.
#
#   docker build -t weir:local .
#   docker run --rm weir:local weir --help
#
# Works with BuildKit and with the classic builder (DOCKER_BUILDKIT=0), which is
# what tests/compose/run-compose-test.sh uses.

# --- build: compile with Debian 12's -dev packages -----------------------------
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config libevent-dev libyaml-cpp-dev libspdlog-dev libfmt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# .dockerignore keeps tests, examples, docs and build folders out, so editing
# them does not invalidate this layer.
COPY . .
# No tests in the image (BUILD_TESTING=OFF: no GoogleTest needed); -O2 as the
# project's RelWithDebInfo builds, without debug info; warnings stay warnings so a
# newer compiler cannot break the image.
RUN cmake -S . -B /build -DBUILD_TESTING=OFF -DWEIR_WERROR=OFF \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
 && cmake --build /build -j "$(nproc)" --target weir tcp-echo-server tcp-echo-client \
 && mkdir /out \
 && cp /build/proxy/weir /build/echo/tcp-echo-server /build/echo/tcp-echo-client /out/ \
 && strip --strip-unneeded /out/*

# --- run: debian-slim with the runtime libraries only -----------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libevent-core-2.1-7 libevent-extra-2.1-7 libevent-pthreads-2.1-7 \
      libyaml-cpp0.7 libspdlog1.10 libfmt9 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && groupadd --system --gid 10001 weir \
 && useradd --system --uid 10001 --gid weir --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin weir
COPY --from=build /out/ /usr/local/bin/
# Fail the build, not the first `docker compose up`, if a library is missing.
RUN for binary in weir tcp-echo-server tcp-echo-client; do \
      if ldd "/usr/local/bin/$binary" | grep 'not found'; then exit 1; fi; \
      "$binary" --help >/dev/null; \
    done
USER weir
# 9000: the walk-through's Gateway port; 15000: the admin server (--admin).
EXPOSE 9000 15000
CMD ["weir", "--help"]
