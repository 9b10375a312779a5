"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from apscheduler.schedulers.background import BackgroundScheduler
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from rating.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: The public pages' cache (rating.cache): Redis when CACHE_REDIS_URL is set, else in-process.
cache = Cache()
#: Rate limits per client network; storage comes from RATELIMIT_STORAGE_URI (memory:// or redis://).
limiter = Limiter(key_func=get_remote_address)
#: The in-process scheduler used by ``make run``; production runs ``flask --app rating scheduler`` instead.
scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
