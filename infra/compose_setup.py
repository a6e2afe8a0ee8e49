"""``python -m infra.compose_setup``: docker-compose.yml's one-off ``setup`` service.

Creates the topics, the services' role ``vori_app`` with the password in ``VORI_DB_PASSWORD``,
and applies the migrations as the owner (``VORI_DATABASE_ADMIN_URL``), the way ``vori up`` does
for the local stack.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from connectors.kafka import TOPIC_CONFIG, ensure_topics, pipeline_topics
from connectors.postgres import migrate
from connectors.settings import Settings
from infra.postgres import APP_ROLE, ensure_app_role


def main() -> int:
    settings = Settings.from_env()
    password = os.environ.get("VORI_DB_PASSWORD", "")
    admin_url = settings.database_admin_url
    if not password or not admin_url:
        print("compose setup: VORI_DB_PASSWORD and VORI_DATABASE_ADMIN_URL must be set", file=sys.stderr)
        return 2
    ensure_topics(settings.kafka_bootstrap, pipeline_topics(settings), TOPIC_CONFIG)
    owner = urlsplit(admin_url).username or "postgres"
    ensure_app_role(admin_url, password, owner=owner, role=APP_ROLE)
    migrate(admin_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
