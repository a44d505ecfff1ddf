"""Settings: the only module that reads the environment.

Each field maps to one name of the README's Configuration table (the alias). Build one
``Settings`` in the entry point and pass it down; tests build theirs explicitly with
``Settings.model_validate({...})`` or keyword arguments and never read the real
environment (``Settings.for_tests``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from cryptography.fernet import Fernet
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Every configurable value, read once from the environment."""

    model_config = SettingsConfigDict(
        env_file=None,
        extra="ignore",
        case_sensitive=True,
        populate_by_name=True,
        frozen=True,
    )

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret"),
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_api_url: str = Field(
        default=DEFAULT_SLACK_API_URL,
        validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url"),
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "redis_url"),
    )
    redis_sentinels: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("REDIS_SENTINELS", "redis_sentinels"),
    )
    redis_sentinel_master: str = Field(
        default="mymaster",
        validation_alias=AliasChoices("REDIS_SENTINEL_MASTER", "redis_sentinel_master"),
    )
    redis_key_prefix: str = Field(
        default="snowbot",
        validation_alias=AliasChoices("SNOWBOT_REDIS_PREFIX", "redis_key_prefix"),
    )
    public_url: str = Field(
        default="http://127.0.0.1:3000",
        validation_alias=AliasChoices("SNOWBOT_PUBLIC_URL", "public_url"),
    )
    encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("SNOWBOT_ENCRYPTION_KEYS", "encryption_keys"),
    )
    servicenow_instance: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SERVICENOW_INSTANCE", "servicenow_instance"),
    )
    servicenow_client_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SERVICENOW_CLIENT_ID", "servicenow_client_id"),
    )
    servicenow_client_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SERVICENOW_CLIENT_SECRET", "servicenow_client_secret"),
    )
    allow_insecure_instance: bool = Field(
        default=False,
        validation_alias=AliasChoices(
            "SNOWBOT_ALLOW_INSECURE_INSTANCE", "allow_insecure_instance"
        ),
    )
    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("SNOWBOT_ADMINS", "admins")
    )
    feedback_table: str = Field(
        default="u_snowbot_feedback",
        validation_alias=AliasChoices("SNOWBOT_FEEDBACK_TABLE", "feedback_table"),
    )
    allowed_instance_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices(
            "SNOWBOT_ALLOWED_INSTANCE_DOMAINS", "allowed_instance_domains"
        ),
    )
    link_email_policy: Literal["refuse", "warn"] = Field(
        default="refuse",
        validation_alias=AliasChoices("SNOWBOT_LINK_EMAIL_POLICY", "link_email_policy"),
    )
    https_proxy: str | None = Field(
        default=None, validation_alias=AliasChoices("HTTPS_PROXY", "https_proxy")
    )
    ssl_cert_file: str | None = Field(
        default=None, validation_alias=AliasChoices("SSL_CERT_FILE", "ssl_cert_file")
    )
    pkce: bool = Field(default=True, validation_alias=AliasChoices("SNOWBOT_PKCE", "pkce"))
    port: int = Field(default=3000, validation_alias=AliasChoices("PORT", "port"))
    # /metrics is served here, never on PORT (which Slack and browsers reach); 0: off.
    metrics_port: int = Field(
        default=9464,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("SNOWBOT_METRICS_PORT", "metrics_port"),
    )
    incident_digits: int = Field(
        default=7,
        ge=5,
        le=12,
        validation_alias=AliasChoices("SNOWBOT_INCIDENT_DIGITS", "incident_digits"),
    )
    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("SNOWBOT_LOG_LEVEL", "log_level")
    )
    servicenow_timeout: float = Field(
        default=2.0,
        gt=0,
        validation_alias=AliasChoices("SNOWBOT_SERVICENOW_TIMEOUT", "servicenow_timeout"),
    )
    # How long the setup test waits for ServiceNow to send the admin's browser back after
    # the sign-in link was opened, before it reports a redirect URL mismatch.
    setup_callback_wait: float = Field(
        default=180.0,
        gt=0,
        validation_alias=AliasChoices("SNOWBOT_SETUP_CALLBACK_WAIT", "setup_callback_wait"),
    )

    @field_validator(
        "redis_sentinels", "admins", "allowed_instance_domains", "encryption_keys",
        mode="before",
    )
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value.rstrip("/") + "/"

    @field_validator("encryption_keys")
    @classmethod
    def _valid_fernet_keys(cls, keys: list[SecretStr]) -> list[SecretStr]:
        for index, key in enumerate(keys):
            try:
                Fernet(key.get_secret_value())
            except (ValueError, TypeError) as exc:
                msg = (
                    f"SNOWBOT_ENCRYPTION_KEYS entry {index + 1} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                )
                raise ValueError(msg) from exc
        return keys

    @model_validator(mode="after")
    def _sentinel_needs_master(self) -> Settings:
        if self.redis_sentinels and not self.redis_sentinel_master:
            msg = "REDIS_SENTINELS is set but REDIS_SENTINEL_MASTER is empty"
            raise ValueError(msg)
        return self

    @property
    def redirect_uri(self) -> str:
        """The ServiceNow OAuth redirect URL this deployment must register."""
        return f"{self.public_url.rstrip('/')}/servicenow/oauth/callback"

    def missing(self) -> list[str]:
        """The environment names of required settings that are not set, in one list.

        ``SLACK_SIGNING_SECRET`` is required in every mode, Socket Mode included: the
        HTTP server verifies every request it serves.
        """
        required = (
            ("SLACK_BOT_TOKEN", self.slack_bot_token),
            ("SLACK_SIGNING_SECRET", self.slack_signing_secret),
            ("SNOWBOT_ENCRYPTION_KEYS", self.encryption_keys),
        )
        return [
            name
            for name, value in required
            if not value or (isinstance(value, SecretStr) and not value.get_secret_value())
        ]

    @property
    def uses_memory_store(self) -> bool:
        """Whether Redis is the embedded in-process store (demo and trials only)."""
        return self.redis_url.startswith("memory://") and not self.redis_sentinels

    def secret_values(self) -> list[str]:
        """Every secret this configuration holds, for the log redaction filter."""
        values = [
            secret.get_secret_value()
            for secret in (
                self.slack_bot_token,
                self.slack_signing_secret,
                self.slack_app_token,
                self.servicenow_client_secret,
                *self.encryption_keys,
            )
            if secret is not None
        ]
        return [value for value in values if len(value) >= 6]

    @classmethod
    def for_tests(cls, **values: Any) -> Settings:
        """Settings built from explicit values only, ignoring the process environment."""
        return _ExplicitSettings(**values)

    @classmethod
    def generate_key(cls) -> str:
        """A fresh Fernet key, for operators rotating keys and for the demo."""
        return Fernet.generate_key().decode()


class _ExplicitSettings(Settings):
    """Settings that read only the values passed in (tests and the demo)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)
