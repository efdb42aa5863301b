#!/usr/bin/env bash
# Interop check of Bastion's TAXII server with clients nobody here wrote: libtaxii 1.1.119's scripts
# (discovery_client, collection_information_client, inbox_client, poll_client, fulfillment_client,
# query_client, discovery_client_10, poll_client_10) and cabby 0.1.23's CLI (taxii-discovery,
# taxii-collections, taxii-push, taxii-poll), over HTTP with Basic authentication and over HTTPS
# with client certificates.
#
#   Tests/Interop/run-taxii-server.sh [BASTION_BINARY]   (default: .build/debug/bastion; builds nothing)
#
# Environment:
#   PYTHON             interpreter for the venv (>= 3.8); default: python3
#   TAXII_CLIENTS_VENV where the venv lives; default: .venv-taxii-clients/ at the repository root
set -euo pipefail

name=run-taxii-server
# shellcheck source=bastion-binary.sh
. "$(dirname "${BASH_SOURCE[0]}")/bastion-binary.sh"

python=${PYTHON:-python3}
packages=("libtaxii==1.1.119" "lxml" "cabby==0.1.23")
venv=${TAXII_CLIENTS_VENV:-$root/.venv-taxii-clients}
# shellcheck source=python-venv.sh
. "$here/python-venv.sh"

exec "$venv/bin/python" -B "$here/taxii-server/taxii_server_interop.py" "$bastion" --venv "$venv"
