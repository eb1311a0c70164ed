"""The installed wheel signs a PDF against the simulator (tests/install/run.sh).

Run from an empty directory by the venv's python: `signbridge` must come from site-packages.
"""

import os
import pathlib
import sys
import urllib.request

import signbridge

sim = os.environ["SIGNBRIDGE_ZIGNSEC_URL"]
key = os.environ["SIGNBRIDGE_ZIGNSEC_KEY"]
pdf, out = sys.argv[1], sys.argv[2]
where = pathlib.Path(signbridge.__file__).resolve()
assert "site-packages" in where.parts, f"signbridge imported from {where}, not from the venv"

with signbridge.Client(zignsec={"base_url": sim, "keys": [key]}) as client:
    signing = client.zignsec_signing()
    started = signing.sign_documents(
        [{"path": pdf, "placement": {"page": 1, "x": 60, "y": 80}}]
    )
    # The signer signs: the simulator's control API does what the hosted page would.
    req = urllib.request.Request(
        f"{sim}/_sim/zignsec/signing/{started['id']}/complete", data=b"{}", method="POST",
        headers={"Content-Type": "application/json"},
    )
    assert urllib.request.urlopen(req, timeout=30).status == 200
    done = signing.wait(started["id"], interval_ms=200, timeout_ms=120_000)
    paths = signing.save_signed_files(started["id"], out)["paths"]
    assert paths and all(pathlib.Path(p).read_bytes()[:5] == b"%PDF-" for p in paths), paths
print(f"python: {signbridge.SessionStatus(done['status']).name}, "
      f"signed by {done['signer']['name'] if done['signer'] else '?'}: "
      f"{', '.join(os.path.basename(p) for p in paths)} (signbridge from {where.parent})")
