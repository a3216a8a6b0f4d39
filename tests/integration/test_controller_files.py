"""awsorg.landing_zone.controller_files: the generated files on the controller, written without a module process."""

import os
import stat

MODULE = "awsorg.landing_zone.controller_files"


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_preview_writes_nothing_then_the_run_writes_what_it_predicted_and_a_rerun_is_unchanged(ansible, proxy, tmp_path):
    ids = tmp_path / "inventory" / "group_vars" / "all" / "ids.yml"
    tf_map = tmp_path / "output" / "accounts.auto.tfvars.json"
    passwords = tmp_path / "output" / "passwords"
    args = dict(files=[dict(path=str(ids), content="landing_zone_account_ids: {dev: '111111111111'}\n"),
                       dict(path=str(tf_map), content='{"accounts": {}}\n', mode="0600")],
                directories=[dict(path=str(passwords), mode="0700")])

    preview = ansible.run_module(MODULE, args, check=True)
    assert preview["changed"] is True
    assert not (tmp_path / "inventory").exists() and not (tmp_path / "output").exists()
    assert [(d["before_header"], d["before"], d["after"]) for d in preview["diff"]] == [
        (str(ids), "", "landing_zone_account_ids: {dev: '111111111111'}\n"),
        (str(tf_map), "", '{"accounts": {}}\n')]

    applied = ansible.run_module(MODULE, args)
    assert applied["changed"] is True
    assert [(f["path"], f["state"]) for f in applied["files"]] == [(f["path"], f["state"]) for f in preview["files"]]
    assert ids.read_text() == "landing_zone_account_ids: {dev: '111111111111'}\n"
    assert (_mode(ids), _mode(tf_map), _mode(passwords), _mode(ids.parent)) == (0o644, 0o600, 0o700, 0o755)
    assert tf_map.read_text() == '{"accounts": {}}\n'

    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False
    assert {f["state"] for f in again["files"] + again["directories"]} == {"unchanged"}
    assert proxy.calls == []  # nothing of it reaches AWS


def test_a_changed_file_and_a_drifted_mode_are_previewed_then_repaired(ansible, tmp_path):
    ids = tmp_path / "ids.yml"
    ids.write_text("old\n")
    os.chmod(ids, 0o600)
    passwords = tmp_path / "passwords"
    passwords.mkdir(mode=0o755)
    os.chmod(passwords, 0o755)
    args = dict(files=[dict(path=str(ids), content="new\n")], directories=[dict(path=str(passwords), mode="0700")])

    preview = ansible.run_module(MODULE, args, check=True)
    assert preview["changed"] is True
    assert [(d["before"], d["after"]) for d in preview["diff"]] == [("0755\n", "0700\n"), ("old\n", "new\n")]
    assert (ids.read_text(), _mode(passwords)) == ("old\n", 0o755)

    applied = ansible.run_module(MODULE, args)
    assert [f["state"] for f in applied["files"]] == ["updated"]
    assert [d["state"] for d in applied["directories"]] == ["mode changed"]
    assert (ids.read_text(), _mode(ids), _mode(passwords)) == ("new\n", 0o644, 0o700)

    os.chmod(ids, 0o666)
    repaired = ansible.run_module(MODULE, args)
    assert [f["state"] for f in repaired["files"]] == ["mode changed"]
    assert _mode(ids) == 0o644


def test_a_bad_mode_is_refused_before_any_file_is_written(ansible, tmp_path):
    first = tmp_path / "first.txt"
    result = ansible.run_module(MODULE, dict(files=[dict(path=str(first), content="x\n"),
                                                    dict(path=str(tmp_path / "second.txt"), content="y\n",
                                                         mode="rw-r--r--")]))
    assert [r["status"] for r in result["_run"].results] == ["failed"]
    assert "second.txt: mode 'rw-r--r--' is not an octal file mode" in result["msg"]
    assert not first.exists()
