"""A year declares its own facts and tables in catalogue.yaml, without touching code."""

from qzanalysis import read_year

OWN = """\
facts:
  - {id: young_craftsmen_extra, label: 浙江省青年工匠（另计）, unit: 人, section: 1.3.1, type: integer, kind: raw}
tables:
  teacher_awards:
    title: 教师获奖情况
    section: 1.3.1
    fields:
      - {name: award, title: 奖项, type: string, constraints: {required: true}}
      - {name: people, title: 人数, type: integer, unit: 人, constraints: {minimum: 0}}
    primaryKey: [award]
"""


def add_declarations(year, text: str) -> None:
    """Append to the year's catalogue.yaml: its facts list and a tables mapping."""
    path = year / "catalogue.yaml"
    current = path.read_text(encoding="utf-8")
    facts, tables = text.split("tables:\n")
    new_facts = facts.replace("facts:\n", "")
    current = current.replace("facts:\n", "facts:\n" + new_facts, 1)
    path.write_text(current + "tables:\n" + tables, encoding="utf-8")


def test_own_fact_and_table_load(data_copy):
    year = data_copy / "2021"
    add_declarations(year, OWN)
    (year / "teacher_awards.csv").write_text("award,people\n省教坛新秀,1\n市学科带头人,3\n", encoding="utf-8")
    with (year / "facts.csv").open("a", encoding="utf-8") as fh:
        fh.write("young_craftsmen_extra,浙江省青年工匠（另计）,3,人,,\n")
    data = read_year(2021, data_copy)
    assert data.report.ok, data.report.format()
    assert data.fact("young_craftsmen_extra") == 3
    assert data.fact_spec("young_craftsmen_extra").label == "浙江省青年工匠（另计）"
    assert list(data.table("teacher_awards")["people"]) == [1, 3]
    assert "teacher_awards" in set(data.status["table"])
    assert (
        "young_craftsmen_extra" in data.catalogue.own_facts and "young_craftsmen" in data.catalogue.own_facts
    )
    assert data.catalogue.own_tables == {"teacher_awards"}


def test_own_table_rows_are_checked_like_built_in_ones(data_copy):
    year = data_copy / "2021"
    add_declarations(year, OWN)
    (year / "teacher_awards.csv").write_text("award,people\n省教坛新秀,-1\n", encoding="utf-8")
    text = read_year(2021, data_copy).report.format()
    assert "teacher_awards.csv，第 2 行，列“people”" in text and "-1" in text


def test_bad_declarations_are_findings_with_their_line(data_copy):
    (data_copy / "2021" / "catalogue.yaml").write_text(
        "facts:\n"
        "  - {id: students_total, label: 在籍学生数, unit: 人, section: '1.2'}\n"
        "  - {id: Bad-Id, label: x, unit: 人, section: '1.2', colour: red}\n"
        "tables:\n"
        "  fitness: {title: x, fields: [{name: a}]}\n",
        encoding="utf-8",
    )
    report = read_year(2021, data_copy).report
    messages = [str(f) for f in report.errors if f.check == "catalogue"]
    assert any("第 2 行" in m and "与内置目录中的代码重复" in m for m in messages), messages
    assert any("第 3 行" in m and "代码格式不对" in m and "Bad-Id" in m for m in messages), messages
    assert any("第 3 行" in m and "未定义的键" in m and "colour" in m for m in messages), messages
    assert any("第 5 行" in m and "与内置数据表重名" in m for m in messages), messages


def test_broken_yaml_names_the_line(data_copy):
    (data_copy / "2021" / "catalogue.yaml").write_text("facts:\n  - {id: x, label: [\n", encoding="utf-8")
    errors = read_year(2021, data_copy).report.errors
    assert any(f.check == "catalogue" and "YAML 格式错误" in f.message and f.line for f in errors)
