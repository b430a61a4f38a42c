"""The bare extension objects, imported by the app factory and by feature modules."""

from flask_alembic import Alembic
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf import CSRFProtect

from .models import Base

# Pre-ping: a pooled connection that died with a database restart is replaced, not used.
db = SQLAlchemy(engine_options={"pool_pre_ping": True})
alembic = Alembic(metadatas=Base.metadata, run_mkdir=False)
csrf = CSRFProtect()
login_manager = LoginManager()
