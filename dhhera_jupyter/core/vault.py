"""Secret values of the local core, encrypted at rest.

Values are encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``) under a key kept in
``DHHERA_HOME/secrets.key``: mode 0600 in a 0700 folder, so only the user can read it. The database holds
ciphertext only; a copy of ``core.sqlite`` without the key reveals no value.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from dhhera_jupyter.core.state import write_private
from dhhera_jupyter.core.store import Store


def _key(path: Path) -> bytes:
    if path.exists():
        key = path.read_bytes().strip()
        if key:
            path.chmod(0o600)
            return key
    key = Fernet.generate_key()
    write_private(path, key.decode() + "\n")
    return key


class Vault:
    """Read and write the secret values of projects.

    Parameters
    ----------
    store : Store
        Where the encrypted values live (table ``secret_values``).
    key_path : Path
        File of the encryption key; created (0600) at first use.
    """

    def __init__(self, store: Store, key_path: Path) -> None:
        self.store = store
        self.key_path = key_path
        self._fernet: Fernet | None = None

    @property
    def fernet(self) -> Fernet:
        if self._fernet is None:
            self._fernet = Fernet(_key(self.key_path))
        return self._fernet

    def write(self, project: str, values: dict[str, str]) -> None:
        """Store (or replace) ``values`` of ``project``, all or none."""
        sealed = {name: self.fernet.encrypt(value.encode()) for name, value in values.items()}
        self.store.secret_put(project, sealed)

    def read(self, project: str, names: list[str]) -> dict[str, str]:
        """The values of ``names`` that ``project`` has (a value that no longer decrypts is left out)."""
        out = {}
        for name, token in self.store.secret_get(project, names).items():
            try:
                out[name] = self.fernet.decrypt(token).decode()
            except InvalidToken:
                continue
        return out

    def delete(self, project: str, name: str | None = None) -> None:
        """Forget one value, or every value of ``project`` when ``name`` is ``None``."""
        self.store.secret_delete(project, name)
