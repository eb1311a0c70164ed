"""Signed-document verification from Python (`client.call("pdf.verify", ...)`): the simulator's
PAdES signatures verify against its published roots, and every kind of tampering gives its
verdict — a byte flipped in the signed range, a page added after signing, a certificate from
another root, an expired signer certificate. Interop both ways: pyHanko signs with its own test CA
and our client verifies; pdfsig (poppler) and pyHanko validate what the simulator and
`signbridge demo` sign."""

from __future__ import annotations

import base64
import datetime
import hashlib
import importlib.util
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import signbridge

from conftest import PRIMARY_KEY, REPO, Sim, sample_pdf

# The checker the make target runs too (tests/external/validate_pdfs.py).
_spec = importlib.util.spec_from_file_location(
    "validate_pdfs", REPO / "tests" / "external" / "validate_pdfs.py")
assert _spec is not None and _spec.loader is not None
validate_pdfs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(validate_pdfs)

ROOTS = REPO / "simulator" / "pki"
BANKID_ROOT = (ROOTS / "bankid-root.pem").read_text()
ONESPAN_ROOT = (ROOTS / "onespan-root.pem").read_text()
ORIGINAL = sample_pdf("Verify me", pages=1)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def verify(client: signbridge.Client, pdf: bytes, *roots: str, **extra: Any) -> dict[str, Any]:
    report: dict[str, Any] = client.call(
        "pdf.verify", {"pdf_base64": b64(pdf), "trust_anchors_pem": list(roots), **extra}
    )
    return report


@pytest.fixture(scope="module")
def client(sim: Sim) -> signbridge.Client:
    return signbridge.Client(
        zignsec={"base_url": sim.url, "keys": [PRIMARY_KEY]},
        transport={"backoff_base_ms": 20},
    )


@pytest.fixture(scope="module")
def signed(client: signbridge.Client, sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """ORIGINAL signed through the simulator by the BankID test user."""
    path = tmp_path_factory.mktemp("verify") / "contract.pdf"
    path.write_bytes(ORIGINAL)
    started = client.call("signing.start", {
        "documents": [{"name": "contract.pdf", "path": str(path)}],
        "signers": [{"first_name": "Aksel", "last_name": "Herseth"}],
    })
    state = client.call("signing.status", {"session": started["id"]})
    sim.complete(state["provider_id"], "06046517928")
    done = client.call("signing.wait", {"session": started["id"], "interval_ms": 50,
                                        "timeout_ms": 30000})
    got = client.call("signing.download", {"session": started["id"],
                                           "document_id": done["files"][0]["document_id"]})
    return base64.b64decode(got["pdf_base64"])


def test_the_simulators_signature_verifies(client: signbridge.Client, signed: bytes) -> None:
    r = verify(client, signed, BANKID_ROOT, original_md5=hashlib.md5(ORIGINAL).hexdigest())
    assert r["valid"] and r["original_is_prefix"], r
    [s] = r["signatures"]
    assert s["signer"]["common_name"] == "Aksel Herseth"
    assert s["signer"]["personal_id"] == "UN:NO-9578-5999-4-06046517928"
    assert (s["digest_algorithm"], s["signature_algorithm"]) == ("sha256", "ecdsa-sha256")
    assert s["cryptographically_valid"] and s["covers_revision"] and s["chain_trusted"]
    assert s["appended"] == "nothing" and s["problems"] == []


def test_a_byte_flipped_in_the_signed_range(client: signbridge.Client, signed: bytes) -> None:
    at = signed.index(b"Verify me")
    bad = signed[:at] + b"W" + signed[at + 1:]
    r = verify(client, bad, BANKID_ROOT)
    assert not r["valid"]
    assert not r["signatures"][0]["cryptographically_valid"]


def test_a_page_added_after_signing(client: signbridge.Client, signed: bytes) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    content = w.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (Added) Tj ET"))
    page = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        generic.NameObject("/Contents"): content,
    })
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    r = verify(client, out.getvalue(), BANKID_ROOT)
    assert not r["valid"]
    s = r["signatures"][0]
    assert s["cryptographically_valid"] and s["covers_revision"]
    assert s["appended"] == "other_changes"


def test_a_certificate_from_another_root(client: signbridge.Client, signed: bytes) -> None:
    r = verify(client, signed, ONESPAN_ROOT)
    s = r["signatures"][0]
    assert not r["valid"] and s["cryptographically_valid"] and not s["chain_trusted"]
    assert "does not chain" in s["chain_error"]


# ---- pyHanko's own test CA --------------------------------------------------------------------


def own_ca(tmp: Path, not_after: datetime.datetime) -> tuple[Path, Path, Path]:
    """A root CA and a signer certificate (valid until `not_after`) from fixed keys: the root's
    PEM, the signer's certificate and key files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key = ec.derive_private_key(0x5EED_CA, ec.SECP256R1())
    signer_key = ec.derive_private_key(0x5EED_5161, ec.SECP384R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pyHanko interop test CA")])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(start).not_valid_after(start.replace(year=2045))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([
                x509.NameAttribute(NameOID.COMMON_NAME, "Signe Signer"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, "PNONO-01019012345"),
            ]))
            .issuer_name(ca_name).public_key(signer_key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (tmp / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp / "signer.pem").write_bytes(leaf.public_bytes(pem))
    (tmp / "signer-key.pem").write_bytes(signer_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return tmp / "ca.pem", tmp / "signer.pem", tmp / "signer-key.pem"


def pyhanko_sign(pdf: bytes, cert: Path, key: Path, ca: Path, field: str = "PyHanko") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=(str(ca),))
    assert signer is not None
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES),
        signer=signer,
    )
    data: bytes = out.getvalue()
    return data


def test_a_pyhanko_signature_verifies_in_our_client(client: signbridge.Client,
                                                    tmp_path: Path) -> None:
    ca, cert, key = own_ca(tmp_path, datetime.datetime(2045, 1, 1, tzinfo=datetime.timezone.utc))
    signed = pyhanko_sign(ORIGINAL, cert, key, ca)
    r = verify(client, signed, ca.read_text(), original_base64=b64(ORIGINAL))
    assert r["valid"] and r["original_is_prefix"], r
    [s] = r["signatures"]
    assert s["signer"]["common_name"] == "Signe Signer"
    assert s["signer"]["personal_id"] == "PNONO-01019012345"
    assert (s["digest_algorithm"], s["signature_algorithm"]) == ("sha384", "ecdsa-sha384")
    assert s["signing_certificate_bound"]
    assert s["sub_filter"] == "ETSI.CAdES.detached"
    # Against the simulator's root instead: not trusted.
    assert not verify(client, signed, BANKID_ROOT)["signatures"][0]["chain_trusted"]


def test_an_expired_signer_certificate(client: signbridge.Client, tmp_path: Path) -> None:
    ca, cert, key = own_ca(tmp_path, datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc))
    signed = pyhanko_sign(ORIGINAL, cert, key, ca)
    r = verify(client, signed, ca.read_text())
    s = r["signatures"][0]
    assert not r["valid"] and s["cryptographically_valid"] and not s["chain_trusted"]
    assert "expired" in s["chain_error"], s


def test_pyhanko_countersigns_the_simulators_document(client: signbridge.Client, signed: bytes,
                                                      tmp_path: Path) -> None:
    ca, cert, key = own_ca(tmp_path, datetime.datetime(2045, 1, 1, tzinfo=datetime.timezone.utc))
    both = pyhanko_sign(signed, cert, key, ca)
    r = verify(client, both, BANKID_ROOT, ca.read_text())
    assert r["valid"], json.dumps(r, indent=1)
    assert [s["appended"] for s in r["signatures"]] == ["signatures", "nothing"]


def test_a_verified_save_refuses_and_leaves_nothing(client: signbridge.Client, sim: Sim,
                                                    tmp_path: Path) -> None:
    src = tmp_path / "in.pdf"
    src.write_bytes(ORIGINAL)
    started = client.call("signing.start", {
        "documents": [{"name": "contract.pdf", "path": str(src)}],
        "signers": [{"first_name": "Aksel", "last_name": "Herseth"}],
    })
    state = client.call("signing.status", {"session": started["id"]})
    sim.complete(state["provider_id"], "06046517928")
    client.call("signing.wait", {"session": started["id"], "interval_ms": 50, "timeout_ms": 30000})
    out = tmp_path / "out"
    with pytest.raises(signbridge.IntegrityError) as e:
        client.call("signing.save_all", {"session": started["id"], "dir": str(out),
                                         "verify": {"trust_anchors_pem": [ONESPAN_ROOT]}})
    assert "does not verify" in str(e.value)
    assert list(out.iterdir()) == []
    saved = client.call("signing.save_all", {"session": started["id"], "dir": str(out),
                                             "verify": {"trust_anchors_pem": [BANKID_ROOT]}})
    assert [Path(p).name for p in saved["paths"]] == ["contract.pdf"]
    reports = saved["reports"]  # typed: present when verification was asked for
    assert reports is not None and reports[0]["valid"]


# ---- tools we did not write -------------------------------------------------------------------


def cli_binary() -> Path:
    env = os.environ.get("SIGNBRIDGE_CLI_BIN")
    return Path(env) if env else REPO / "target" / "debug" / "signbridge"


def test_pdfsig_and_pyhanko_validate_every_pdf_the_demo_signs(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    subprocess.run([str(cli_binary()), "demo", "--out", str(out)], check=True,
                   capture_output=True, timeout=300)
    files = sorted(out.rglob("*.pdf"))
    assert len(files) >= 5
    roots = [ROOTS / "bankid-root.pem", ROOTS / "onespan-root.pem"]
    for f in files:
        by_poppler = validate_pdfs.pdfsig(f)
        by_hanko = validate_pdfs.pyhanko(f, roots)
        assert by_poppler and len(by_poppler) == len(by_hanko), f
        assert all(p == "" for p in by_poppler + by_hanko), (f, by_poppler, by_hanko)


def test_verifying_needs_no_client(signed: bytes) -> None:
    """signbridge.call runs the operations that send nothing anywhere without a configured
    client: a relying party verifies what it received with only the root."""
    r = signbridge.call("pdf.verify", {"pdf_base64": signed, "trust_anchors_pem": [BANKID_ROOT]})
    assert r["valid"] and r["signatures"][0]["chain_trusted"], r
    r = signbridge.call("pdf.verify", {"pdf_base64": signed, "trust_anchors_pem": [ONESPAN_ROOT]})
    assert not r["valid"] and not r["signatures"][0]["chain_trusted"]
    with pytest.raises(signbridge.InvalidInput, match="call it on a client"):
        signbridge.call("zignsec.create_signing", {})
    with pytest.raises(signbridge.InvalidInput, match="request.pdf_base64"):
        signbridge.call("pdf.verify", {"pdf_base64": 42, "trust_anchors_pem": []})
