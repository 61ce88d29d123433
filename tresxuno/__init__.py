"""tresxuno: the 3x1 para Migrantes programme run from a municipal office desktop."""

__version__ = "0.1.0"
