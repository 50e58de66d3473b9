"""Generate the development keys and certificates into certs/dev/ (never committed, refused outside dev).

Made once per checkout: the hub's token-signing key (RSA), the log-signing key (Ed25519), the key-encryption
key, the pseudonym key and the log MAC key, a development CA, and for every partner in the registry a private
key, its public JWKS and a client certificate issued by the development CA.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID
from joserfc.jwk import RSAKey

from hub.config import DEV_CERTS, ROOT


def _write_private(path: Path, key) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject_cn: str, key, issuer_cn: str, issuer_key, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def partner_key_paths(client_id: str, base: Path = DEV_CERTS) -> dict[str, Path]:
    folder = base / "partners"
    return {
        "key": folder / f"{client_id}.key.pem",
        "jwks": folder / f"{client_id}.jwks.json",
        "cert": folder / f"{client_id}.cert.pem",
    }


def generate(base: Path = DEV_CERTS, registry_dir: Path | None = None) -> list[Path]:
    """Create whatever development material is missing. Returns the files written."""
    written: list[Path] = []
    base.mkdir(parents=True, exist_ok=True)
    (base / "partners").mkdir(exist_ok=True)

    token_key = base / "hub-token-signing.pem"
    if not token_key.exists():
        _write_private(token_key, _rsa())
        written.append(token_key)
    log_key = base / "hub-log-signing.pem"
    if not log_key.exists():
        _write_private(log_key, ed25519.Ed25519PrivateKey.generate())
        written.append(log_key)
    for name in ("data-kek.b64", "pseudonym-key.b64", "log-mac-key.b64"):
        path = base / name
        if not path.exists():
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
            path.chmod(0o600)
            written.append(path)

    ca_key_path, ca_cert_path = base / "ca.key.pem", base / "ca.cert.pem"
    if not ca_key_path.exists() or not ca_cert_path.exists():
        ca_key = _rsa()
        _write_private(ca_key_path, ca_key)
        ca_cert = _certificate("D&T hub development CA", ca_key, "D&T hub development CA", ca_key, ca=True)
        ca_cert_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        written += [ca_key_path, ca_cert_path]
    loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{ca_key_path} is not an RSA private key")
    ca_key = loaded

    registry_dir = registry_dir or ROOT / "partners" / "registry"
    for entry in sorted(registry_dir.glob("*.json")):
        client_id = json.loads(entry.read_text())["client_id"]
        paths = partner_key_paths(client_id, base)
        if paths["key"].exists() and paths["jwks"].exists() and paths["cert"].exists():
            continue
        key = _rsa()
        _write_private(paths["key"], key)
        pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        public = RSAKey.import_key(pem)
        jwk = public.as_dict(private=False)
        jwk["kid"] = public.thumbprint()
        jwk["use"] = "sig"
        paths["jwks"].write_text(json.dumps({"keys": [jwk]}, indent=2) + "\n")
        cert = _certificate(client_id, key, "D&T hub development CA", ca_key, ca=False)
        paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        written += list(paths.values())
    return written
