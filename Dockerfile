# syntax=docker/dockerfile:1
#
# citebot: a Discord bot answering questions about news articles with citations.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t citebot .
#   docker run -d --name citebot -e DISCORD_TOKEN -v citebot-data:/data citebot
#
# Every step below is also run without Docker by `.ci/run` (cmd/citebot
# image_test.go): the same go build command, and the binary started as uid
# 65532 with no shell, no HOME and no environment of the image's own.
#
# The image's defaults (data_dir /data, http.addr :8080) are built into its
# binary with -X, not set with ENV: they are defaults, so a mounted
# configuration file (--config or CITEBOT_CONFIG) overrides them, the
# environment (docker run -e) overrides the file, and flags override all.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, in their own layer: rebuilt only when go.mod or go.sum change.
# third_party/discordgo is a module of its own that go.mod replaces
# discordgo with (a patched copy), so it comes with them.
COPY go.mod go.sum ./
COPY third_party/ third_party/
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X citebot/config.builtinDataDir=/data -X citebot/config.builtinHTTPAddr=:8080" -o /out/citebot ./cmd/citebot
# The volume's mount point, owned by the runtime user, so that a new named
# volume is writable by it.
RUN mkdir -p /out/data

# Static binary on distroless: CA certificates, /etc/passwd with nonroot
# (65532), no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/citebot /citebot
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5m --retries=3 CMD ["/citebot", "healthcheck"]
ENTRYPOINT ["/citebot"]
CMD ["serve"]
