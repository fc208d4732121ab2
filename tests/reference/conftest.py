import pytest

from demo.schools import register_table
from reference.models import Register
from reference.registers import ERHVERVSSKOLER, ensure_shipped_registers
from surveys.registers import apply_members


@pytest.fixture
def schools(db):
    """The erhvervsskoler register with the demo's 27 synthetic schools (S01–S27)."""
    register = ensure_shipped_registers(Register, (ERHVERVSSKOLER,))[ERHVERVSSKOLER]
    apply_members(register, register_table(), actor=None)
    return register
