"""Key pairs of the sandbox: the merchant's (we sign requests) and WeChat Pay's platform (it signs to us)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class SandboxKeys:
    """Paths of the four PEM files the app and the sandbox share in development."""

    merchant_private: Path
    merchant_public: Path
    platform_private: Path
    platform_public: Path


def _write_pair(private_path: Path, public_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for path, data in ((private_path, private_pem), (public_path, public_pem)):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o600)
        tmp.replace(path)


def ensure_sandbox_keys(directory: Path) -> SandboxKeys:
    """Generate the sandbox key pairs once; later calls return the same files."""
    directory.mkdir(parents=True, exist_ok=True)
    keys = SandboxKeys(
        merchant_private=directory / "merchant_private.pem",
        merchant_public=directory / "merchant_public.pem",
        platform_private=directory / "platform_private.pem",
        platform_public=directory / "platform_public.pem",
    )
    if not (keys.merchant_private.exists() and keys.merchant_public.exists()):
        _write_pair(keys.merchant_private, keys.merchant_public)
    if not (keys.platform_private.exists() and keys.platform_public.exists()):
        _write_pair(keys.platform_private, keys.platform_public)
    return keys
