#!/usr/bin/env bash
# Installs the real tools some tests and the benchmark drive, when they are missing: Debian's aws CLI, boto3 and
# pytest (client contract tests, the Python fixture example), podman, skopeo and umoci (registry protocol clients), docker-registry and wrk (the
# benchmark's baselines). Runs before `npm test` and
# `npm run bench`; a no-op when they are there.
set -euo pipefail
PACKAGES="awscli python3-boto3 python3-pytest podman skopeo umoci docker-registry wrk"
if [ -x /usr/bin/aws ] && /usr/bin/python3 -c "import boto3, pytest" 2>/dev/null && [ -x /usr/bin/docker-registry ] && [ -x /usr/bin/wrk ] \
  && [ -x /usr/bin/podman ] && [ -x /usr/bin/skopeo ] && [ -x /usr/bin/umoci ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "test-tools: some tests need: sudo apt-get install $PACKAGES" >&2
  exit 0
fi
echo "test-tools: installing Debian's $PACKAGES"
apt-get update -qq
# The registry package would start a system service; this project starts its own registry when it needs one.
made_policy=false
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=true
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
if $made_policy; then rm -f /usr/sbin/policy-rc.d; fi
