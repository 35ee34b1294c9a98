"""The `qz` command never prints a traceback: argument errors in Chinese, and a last-resort handler that
says what happened and where the details are."""

from __future__ import annotations

import pytest

from qzanalysis.tools import cli, validate
from qzanalysis.tools.crash import EXIT_SOFTWARE


def test_an_unexpected_error_prints_a_chinese_message_and_a_log(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("QZ_DEBUG", raising=False)
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)

    def broken(args):
        raise KeyError("千元")

    monkeypatch.setattr(validate, "run", broken)
    assert cli.main(["validate", "--year", "2021"]) == EXIT_SOFTWARE
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "程序内部出错" in err and "KeyError" in err and "README" in err
    (log,) = tmp_path.glob("qz-错误-*.log")
    text = log.read_text(encoding="utf-8")
    assert str(log) in err and "qz validate --year 2021" in text and "KeyError: '千元'" in text


def test_qz_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setenv("QZ_DEBUG", "1")
    monkeypatch.setattr(validate, "run", lambda args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        cli.main(["validate", "--year", "2021"])


def test_interrupt_exits_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(validate, "run", interrupted)
    assert cli.main(["validate", "--year", "2021"]) == 130
    assert "已中断" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, said",
    [
        (["validate"], "缺少必需的参数：--year"),
        (["validate", "--year", "二〇二一"], "不是整数"),
        (["validate", "--year", "2021", "--colour"], "无法识别的参数：--colour"),
        (["audit", "--year", "2021", "--format", "xls"], "不是可选的取值"),
    ],
)
def test_argument_errors_are_chinese(argv, said, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "error:" not in err and "the following" not in err


def test_library_warnings_go_to_a_log_not_the_terminal(tmp_path):
    """Run as the installed command: a library's English warning (with its path) is logged, one Chinese line says where."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, warnings; from qzanalysis.tools import cli, validate\n"
        "def run(args):\n"
        "    warnings.warn('Data Validation extension is not supported and will be removed', UserWarning)\n"
        "    return 0\n"
        "validate.run = run\n"
        "sys.argv = ['qz', 'validate', '--year', '2021']\n"
        "sys.exit(cli.main())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "QZ_DEBUG"} | {"TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "not supported" not in done.stderr and "site-packages" not in done.stderr
    (log,) = tmp_path.glob("qz-提示-*.log")
    assert f"已写入 {log}" in done.stderr and "not supported" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv", [["--help"], ["render", "--help"], ["validate", "--help"]])
def test_help_reads_in_chinese(argv, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：qz") and "选项" in out and "显示本帮助并退出" in out
    assert not any(word in out for word in ("usage:", "options:", "positional arguments", "show this help"))
