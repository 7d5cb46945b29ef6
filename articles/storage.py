"""Media storage on this machine's disk, safe for several instances sharing it.

Django's FileSystemStorage writes a file in place, so for a moment another
instance (or the web server) can see it half written. Here the bytes go to a
temporary file in the same folder first and are then linked under their
name in one step: a file either is not there or is complete. As in Django, a
name that is taken gets another name rather than being overwritten.
"""

import os
import tempfile

from django.core.files.storage import FileSystemStorage

# Read once, at import: os.umask() can only be read by setting it.
UMASK = os.umask(0o022)
os.umask(UMASK)


class MediaFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as partial:
                for chunk in content.chunks():
                    partial.write(chunk.encode() if isinstance(chunk, str) else chunk)
            os.chmod(temporary, self.file_permissions_mode or 0o666 & ~UMASK)
            while True:
                try:
                    os.link(temporary, full_path)  # fails, atomically, if taken
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(temporary)
        return str(os.path.relpath(full_path, self.location)).replace("\\", "/")
