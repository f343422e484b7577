import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from lib import boundaries
from lib.config import DEFAULT_CONFIG_DIR, load_config
from lib.exceptions import ConfigError


def test_demo_config_matches_the_unit(config):
    unit = boundaries.scope(config, boundaries.AS_RECORDED, dt.date(2024, 1, 1), dt.date(2024, 12, 31)).unit
    assert len(unit.communes) == 8 and sum(len(c.villages) for c in unit.communes) == 53
    assert sum(v.extremely_difficult for c in unit.communes for v in c.villages) == 27
    assert [c.name for c in unit.communes if c.region == "III"] == ["Liêng Srônh", "Đạ Long"]
    assert sum(c.new_rural for c in unit.communes) == 6
    assert unit.profile.area_ha == 87255.8 and unit.profile.ethnic_groups == 30
    assert len(config.programmes) == 4 and len(config.organisations) == 9
    today = boundaries.scope(config, boundaries.CURRENT, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert list(today.communes) == [f"Xã Đam Rông {n}" for n in range(1, 5)]
    assert sum(len(c.villages) for c in today.unit.communes) == 53 + 4  # and Đưng K'Nớ's four


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "file, old, new, expected",
    [
        (
            "settings.yaml",
            "cache_ttl_seconds: 300",
            "cache_ttl_seconds: năm phút",
            "settings.yaml: settings.cache_ttl_seconds: phải là số nguyên",
        ),
        (
            "unit.yaml",
            "      new_rural: true\n      region: I\n",
            "      new_rurall: true\n      region: I\n",
            "unit.yaml: unit.communes[0].new_rurall: khoá không được hỗ trợ",
        ),
        ("unit.yaml", "region: III", "region: IV", "unit.yaml: unit.communes[1].region: giá trị không hợp lệ"),
        (
            "indicators.yaml",
            "measure: rounds, unit: đợt}",
            "measure: round, unit: đợt}",
            "indicators.yaml: indicators[1] (rounds).measure: cột số liệu «round» không có trong cấu hình",
        ),
        ("unit.yaml", "- name: Phi Liêng", "- name: Rô Men", "tên xã «Rô Men» bị trùng"),
        (
            "indicators.yaml",
            "kind: ratio, numerator: participants, denominator: rounds",
            "kind: ratio, numerator: participants",
            "chỉ số loại «ratio» cần khai báo denominator",
        ),
    ],
)
def test_config_errors_name_file_key_and_problem(config_copy, file, old, new, expected):
    edit(config_copy / file, old, new)
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert expected in error.value.message


def test_yaml_syntax_error_names_line(config_copy):
    (config_copy / "programmes.yaml").write_text("programmes: [\n  - code: x\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert "programmes.yaml: không đúng cú pháp YAML (dòng" in error.value.message


def test_missing_file_and_dir(config_copy, tmp_path):
    (config_copy / "columns.yaml").unlink()
    with pytest.raises(ConfigError, match="columns.yaml: thiếu tệp cấu hình"):
        load_config(config_copy)
    with pytest.raises(ConfigError, match="Không tìm thấy thư mục cấu hình"):
        load_config(tmp_path / "nowhere")


ROMEN_ALIASES = "aliases: [xã Rô Men, Romen]"


@pytest.mark.parametrize(
    "aliases, expected",
    [
        (
            "aliases: [xã Rô Men, Romen, Toàn huyện]",
            "unit.yaml: unit.communes[0].aliases[2]: tên «Toàn huyện» của «Rô Men» trùng với «Toàn huyện» "
            "(unit.whole_unit_label), tên gọi của cả huyện («Toàn huyện»)",
        ),
        (
            "aliases: [toan huyen]",
            "unit.yaml: unit.communes[0].aliases[0]: tên «toan huyen» của «Rô Men» trùng với «Toàn huyện» (unit.whole_unit_label)",
        ),
        (
            "aliases: [DAM RONG]",
            "unit.yaml: unit.communes[0].aliases[0]: tên «DAM RONG» của «Rô Men» trùng với «Đam Rông» (unit.name)",
        ),
        (
            "aliases: [Huyện Đam Rông]",
            "unit.communes[0].aliases[0]: tên «Huyện Đam Rông» của «Rô Men» trùng với «huyện Đam Rông» (unit.aliases[0])",
        ),
        ("aliases: [Huyện]", "unit.communes[0].aliases[0]: tên «Huyện» của «Rô Men» trùng với «huyện» (unit.level)"),
    ],
)
def test_a_commune_named_like_the_whole_unit_is_a_config_error(config_copy, aliases, expected):
    """Rows giving such a name would be counted for the commune or for the whole unit, silently."""
    edit(config_copy / "unit.yaml", ROMEN_ALIASES, aliases)
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert expected in error.value.message


def test_a_commune_named_like_another_and_every_clash_reported_at_once(config_copy):
    edit(config_copy / "unit.yaml", ROMEN_ALIASES, "aliases: [Đạ-Long, Dam Rong]")
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert error.value.problems == [
        "unit.yaml: unit.communes[0].aliases[1]: tên «Dam Rong» của «Rô Men» trùng với «Đam Rông» (unit.name), "
        "tên gọi của cả huyện («Toàn huyện»); đổi hoặc bỏ tên này để dòng ghi tên này không bị tính nhầm chỗ",
        "unit.yaml: unit.communes[7].name: tên «Đạ Long» của «Đạ Long» trùng với «Đạ-Long» (unit.communes[0].aliases[0]), "
        "tên gọi của «Rô Men»; đổi hoặc bỏ tên này để dòng ghi tên này không bị tính nhầm chỗ",
        "unit.yaml: unit.communes[7].aliases[1]: tên «Da Long» của «Đạ Long» trùng với «Đạ-Long» "
        "(unit.communes[0].aliases[0]), tên gọi của «Rô Men»; đổi hoặc bỏ tên này để dòng ghi tên này không bị tính "
        "nhầm chỗ",
    ]


def test_names_the_catalogues_tell_apart_are_no_clash(config):
    """The demo's commune Đạ M'Rông (alias Da Mrong) and the district Đam Rông (alias Dam Rong) fold
    alike but differ as words: both load, and each spelling finds its own."""
    from lib.catalogue import Catalogues

    communes = Catalogues(config).communes
    assert communes.match("Đạ M'Rông") == communes.match("Da Mrong") == "Đạ M'Rông"
    assert communes.match("Đam Rông") == communes.match("Dam Rong") == "Toàn huyện"


def test_villages_differing_only_by_leading_zeros_are_repeated(config_copy):
    edit(config_copy / "unit.yaml", "- {name: Thôn 2}", "- {name: Thôn 01}")
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert "tên thôn «Thôn 01» bị trùng" in error.value.message


# ---------------------------------------------------------------- the optional map and the overview's primary cards


def test_demo_map_places_every_commune(config):
    assert set(config.map.communes) == set(config.communes)
    assert all(11.5 < c.lat < 12.6 and 107.7 < c.lon < 108.7 for c in config.map.communes.values())
    assert config.map.shapes is None and config.commune_shapes is None


def test_map_file_is_optional(config_copy):
    (config_copy / "map.yaml").unlink()
    assert load_config(config_copy).map.communes == {}


def test_map_errors_are_reported_with_the_others(config_copy):
    edit(config_copy / "map.yaml", "Rô Men: {lat: 12.055", "Ro Men: {lat: 12.055")
    edit(config_copy / "map.yaml", "Đạ Long: {lat: 12.135", "Đạ Lòng Bong: {lat: 12.135")
    edit(config_copy / "dashboard.yaml", "primary: [activities,", "primary: [participants_per_round,")
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert len(error.value.problems) == 3
    assert (
        "dashboard.yaml: dashboard.overview.primary[0]: «participants_per_round» phải có trong overview.cards"
        in error.value.problems
    )
    assert "map.yaml: map.communes: xã «Ro Men» không có trong unit.yaml; có phải là «Rô Men»?" in error.value.problems
    assert any(
        p.startswith("map.yaml: map.communes: xã «Đạ Lòng Bong» không có trong unit.yaml; các xã: Rô Men,")
        for p in error.value.problems
    )


def test_map_coordinates_and_shapes_are_checked(config_copy):
    edit(config_copy / "map.yaml", "Rô Men: {lat: 12.055", "Rô Men: {lat: 120.055")
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert "map.yaml: map.communes.Rô Men.lat: giá trị quá lớn (giới hạn 90)" in error.value.problems
    edit(config_copy / "map.yaml", "Rô Men: {lat: 120.055", "Rô Men: {lat: 12.055")
    edit(config_copy / "map.yaml", "map:\n", "map:\n  shapes: {file: ranh-gioi.geojson, name_property: ten}\n")
    with pytest.raises(ConfigError, match="map.shapes.file: không tìm thấy tệp «ranh-gioi.geojson»"):
        load_config(config_copy)
    (config_copy / "ranh-gioi.geojson").write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="phải là một GeoJSON FeatureCollection"):
        load_config(config_copy)

    def collection(*names: str) -> str:
        features = [{"type": "Feature", "properties": {"ten": n}, "geometry": None} for n in names]
        return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)

    (config_copy / "ranh-gioi.geojson").write_text(collection("Rô Men", "Xã Lạ"), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert error.value.problems == [
        "map.yaml: map.shapes: vùng thứ 2 của «ranh-gioi.geojson» có ten = «Xã Lạ», không phải tên một xã trong unit.yaml"
    ]
    (config_copy / "ranh-gioi.geojson").write_text(collection("Rô Men"), encoding="utf-8")
    loaded = load_config(config_copy)
    assert loaded.commune_shapes["features"][0]["properties"]["ten"] == "Rô Men"


def test_at_most_six_primary_cards_each_one_of_the_cards(config_copy):
    edit(
        config_copy / "dashboard.yaml",
        "primary: [activities, participants, beneficiaries, money_total, communes_reached]",
        "primary: [activities, participants, beneficiaries, money_total, communes_reached, rounds, labour_days]",
    )
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert "dashboard.yaml: dashboard.overview.primary: quá nhiều mục (tối đa 6)" in error.value.problems
    edit(
        config_copy / "dashboard.yaml",
        "communes_reached, rounds, labour_days]",
        "participants_per_round]",
    )
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert error.value.problems == [
        "dashboard.yaml: dashboard.overview.primary[4]: «participants_per_round» phải có trong overview.cards"
    ]
