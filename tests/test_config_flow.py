"""Tests of the config flow, the employee subentry flow and the options flow."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.time_clock.const import DOMAIN

from .conftest import JANE, JOHN
from .fakes.sonoran import FakeSonoran


async def test_user_creates_local_account(hass: HomeAssistant) -> None:
    """The user picks the local backend and names the account."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert "local" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "local"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "local"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": " Front office "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front office"
    assert result["data"] == {"backend": "local", "name": "Front office"}
    await hass.async_block_till_done()


async def test_local_name_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An empty name or the name of another local account is refused, then fixed."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "local"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "  "}
    )
    assert result["errors"] == {"name": "name_required"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "workshop"}
    )
    assert result["errors"] == {"name": "name_exists"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Workshop 2"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_reconfigure_local_account(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Renaming a local account updates its title and reloads it."""
    other = MockConfigEntry(
        domain=DOMAIN, title="Other", data={"backend": "local", "name": "Other"}
    )
    other.add_to_hass(hass)
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_local"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": ""}
    )
    assert result["errors"] == {"name": "name_required"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "other"}
    )
    assert result["errors"] == {"name": "name_exists"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Garage"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.title == "Garage"
    assert init_integration.data["name"] == "Garage"


async def test_reconfigure_unchanged_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Submitting the same name still finishes (and reloads) cleanly."""
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Workshop"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.runtime_data.account is not None


async def _start_employee_flow(hass: HomeAssistant, entry: MockConfigEntry) -> dict:
    """Start the add-employee flow."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "employee"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "add_local"
    return result


async def test_add_employee(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A new employee is stored with normalised, de-duplicated tags and reloads the account."""
    result = await _start_employee_flow(hass, init_integration)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Ann Smith",
            "identifier": " ann@example.com ",
            "tags": ["de:ad:be:ef", "DE-AD-BE-EF", " "],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    subentry = next(
        s for s in init_integration.subentries.values() if s.title == "Ann Smith"
    )
    assert dict(subentry.data) == {
        "identifier": "ann@example.com",
        "tags": ["DEADBEEF"],
    }
    account = init_integration.runtime_data.account
    assert account.roster.tags["DEADBEEF"] == subentry.subentry_id


async def test_add_employee_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Duplicate names, tags of another employee and junk tags are refused."""
    result = await _start_employee_flow(hass, init_integration)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": " "}
    )
    assert result["errors"] == {"name": "name_required"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "john white"}
    )
    assert result["errors"] == {"name": "employee_exists"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Ann", "tags": ["74:10:37:94"]}
    )
    assert result["errors"] == {"tags": "tag_in_use"}
    assert result["description_placeholders"] == {
        "tag": "74:10:37:94",
        "employee": "John White",
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Ann", "tags": ["12/34"]}
    )
    assert result["errors"] == {"tags": "invalid_tag"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Ann", "tags": ["1234"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"identifier": "", "tags": ["1234"]}
    await hass.async_block_till_done()


async def test_reconfigure_employee(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An employee keeps its own tags and may not take another's name."""
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, "employee"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": JOHN},
    )
    assert result["step_id"] == "edit_local"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Jane Doe", "tags": ["74103794"]}
    )
    assert result["errors"] == {"name": "employee_exists"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "John W. White",
            "identifier": "jw@example.com",
            "tags": ["74103794", "11223344"],
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    subentry = init_integration.subentries[JOHN]
    assert subentry.title == "John W. White"
    assert list(subentry.data["tags"]) == ["74103794", "11223344"]
    assert init_integration.runtime_data.account.employees[JOHN].name == "John W. White"
    assert JANE in init_integration.runtime_data.account.employees


async def test_employee_reader_allow_list(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """With readers configured, an employee may be limited to some of them."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={
            "readers": [
                {
                    "name": "Front door",
                    "topic": "a/b",
                    "role": "toggle",
                    "template": "",
                    "feedback_topic": "",
                },
                {
                    "name": "Back door",
                    "topic": "c/d",
                    "role": "toggle",
                    "template": "",
                    "feedback_topic": "",
                },
            ]
        },
    )
    result = await _start_employee_flow(hass, mock_config_entry)
    assert "readers" in result["data_schema"].schema
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Ann", "tags": ["1234"], "readers": ["Back door"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["readers"] == ["Back door"]


async def test_sonoran_account_at_a_url_of_its_own(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """SonoranCMS behind a proxy: the advanced API URL is checked and kept."""
    fake = FakeSonoran(community_id="AcmeRP", api_key="key-123")
    url = await fake.start()
    try:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "sonoran"}
        )
        assert result["step_id"] == "sonoran"
        credentials = {"community_id": "AcmeRP", "api_key": "key-123"}
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {**credentials, "advanced": {"api_url": "http://sonoran.example.com"}},
        )
        assert result["errors"] == {"base": "https_required"}
        assert fake.requests == []
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**credentials, "advanced": {"api_url": url}}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["data"] == {"backend": "sonoran", **credentials, "api_url": url}
        assert [r["type"] for r in fake.requests] == ["GET_SUB_VERSION"]
        await hass.async_block_till_done()
    finally:
        await fake.stop()
