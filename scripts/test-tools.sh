#!/usr/bin/env bash
# Installs the real client tools some tests drive (Debian's aws CLI and boto3) when they are missing.
# Runs before `npm test`; a no-op when they are there.
set -euo pipefail
if [ -x /usr/bin/aws ] && /usr/bin/python3 -c "import boto3" 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "test-tools: the aws CLI and boto3 tests need: sudo apt-get install awscli python3-boto3" >&2
  exit 0
fi
echo "test-tools: installing Debian's awscli and python3-boto3"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends awscli python3-boto3 >/dev/null
