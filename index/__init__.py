"""Everything that writes an index: sources → articles → analysis → Whoosh segments → snapshots."""

from .format import require_whoosh

require_whoosh()  # a clear error now, rather than a strange one deep inside a build
