"""Sign a document's SHA-256 hash with a Securosys HSM key that needs 2 of 3 approvals.

Creates a key whose policy needs two of three approvers, submits the hash for signing, lets two
approvers approve (each with its own key), waits for the signature and verifies it. Runs against
the simulator: give its URL, or let the example start one (`signbridge sim`, or the command in
$SIGNBRIDGE_SIM_CMD)::

    python securosys_approvals.py contract.pdf --url http://127.0.0.1:8089
    python securosys_approvals.py contract.pdf
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shlex
import subprocess
import uuid
from pathlib import Path

import signbridge
from signbridge import ApproverKey, KeySpec, PayloadKind, quorum_policy

# The simulator's test API keys, one per role: each call carries only its role's key.
SIM_API_KEYS = {
    "key_management": ["sim-securosys-key-management-0001"],
    "key_operation": ["sim-securosys-key-operation-0001"],
    "approver": ["sim-securosys-approver-0001"],
    "service": ["sim-securosys-service-0001"],
}


def sign_with_approvals(hsm: signbridge.Securosys, document: Path) -> bytes:
    # Three approvers; in real life each keeps its private key to itself (a file, a card...).
    approvers = {name: ApproverKey.generate_p256()[0] for name in ("alice", "bob", "carol")}

    # A key whose every use needs 2 of the 3, within an hour of the request.
    label = f"contract-signer-{uuid.uuid4().hex[:8]}"
    policy = quorum_policy(2, approvers, timeout=3600)
    hsm.create_key(label, spec=KeySpec.RSA_2048, policy=policy)
    print("created key", label)

    # Sign the document's SHA-256 hash (computed here: the document never leaves the machine).
    digest = hashlib.sha256(document.read_bytes()).digest()
    algorithm = KeySpec.RSA_2048.default_signature_algorithm  # SHA256_WITH_RSA
    request_id = hsm.sign(
        label, algorithm, payload=digest, payload_kind=PayloadKind.DIGEST,
        options={"metadata": {"document": document.name}},
    )
    print("sign request", request_id, "waits for approvals")

    # Two approvers look at their tasks (the metadata is base64 JSON) and approve.
    for name in ("alice", "bob"):
        for task in hsm.list_approval_tasks(approvers[name]):
            metadata = json.loads(base64.b64decode(task["meta_data"] or "e30="))
            print(f"{name} approves signing {metadata}")
            hsm.approve(approvers[name], task)

    signature = hsm.wait_request(request_id, interval_ms=500, timeout_ms=120_000)
    print("signature:", len(signature), "bytes")

    assert hsm.verify(
        label, algorithm, payload=digest, signature=signature, payload_kind=PayloadKind.DIGEST
    )
    print("verified by the HSM")
    Path(f"{document}.sig").write_bytes(signature)
    Path(f"{document}.pub.pem").write_text(hsm.public_key(label)["pem"])
    print(f"wrote {document}.sig and {document}.pub.pem")
    return signature


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    cmd = shlex.split(os.environ.get("SIGNBRIDGE_SIM_CMD", "signbridge sim --port 0"))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"listening on (http://\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"could not start the simulator with {cmd}: {line!r}")
    return proc, m.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", type=Path)
    parser.add_argument("--url", help="the TSB (simulator) base URL; default: start one")
    args = parser.parse_args()
    proc = None
    url = args.url
    if url is None:
        proc, url = start_simulator()
    try:
        with signbridge.Client(securosys={"base_url": url, "api_keys": SIM_API_KEYS}) as client:
            sign_with_approvals(client.securosys(), args.document)
    except signbridge.SessionRejected as e:
        raise SystemExit(f"the approvers rejected the request: {e.message}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
