"""Read an organization's end state from AWS (moto) and render it.

``organization_snapshot`` returns plain data (OUs by path, accounts with
their OU, SCPs with their targets) that tests compare between runs, and that
the demo prints as a tree and as a Mermaid diagram.
"""


def _all(client, operation, key, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result().get(key, [])


def organization_snapshot(org):
    """``org``: a boto3 organizations client of the management account."""
    root = org.list_roots()["Roots"][0]
    ous = {"/": dict(id=root["Id"], path="/", children=[], accounts=[], policies=[])}
    by_id = {root["Id"]: ous["/"]}
    queue = [("/", root["Id"])]
    accounts = {}
    while queue:
        path, parent_id = queue.pop(0)
        for ou in sorted(_all(org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id),
                         key=lambda o: o["Name"]):
            child_path = path.rstrip("/") + "/" + ou["Name"]
            node = dict(id=ou["Id"], path=child_path, children=[], accounts=[], policies=[])
            ous[child_path] = node
            by_id[ou["Id"]] = node
            ous[path]["children"].append(child_path)
            queue.append((child_path, ou["Id"]))
        for account in sorted(_all(org, "list_accounts_for_parent", "Accounts", ParentId=parent_id),
                              key=lambda a: a["Name"]):
            accounts[account["Id"]] = dict(
                id=account["Id"], name=account["Name"], email=account["Email"], status=account["Status"],
                ou=path, policies=[],
            )
            ous[path]["accounts"].append(account["Id"])
    policies = {}
    for policy in _all(org, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY"):
        targets = _all(org, "list_targets_for_policy", "Targets", PolicyId=policy["Id"])
        names = []
        for target in targets:
            if target["TargetId"] in by_id:
                by_id[target["TargetId"]]["policies"].append(policy["Name"])
                names.append(by_id[target["TargetId"]]["path"])
            elif target["TargetId"] in accounts:
                accounts[target["TargetId"]]["policies"].append(policy["Name"])
                names.append(target["TargetId"])
        policies[policy["Name"]] = sorted(names)
    for node in ous.values():
        node["policies"].sort()
    for account in accounts.values():
        account["policies"].sort()
    return dict(ous=ous, accounts=accounts, policies=policies)


def comparable(snapshot):
    """The snapshot without ids that differ between two clean runs (OU ids)."""
    return dict(
        ous={path: dict(children=node["children"], policies=node["policies"],
                        accounts=sorted(snapshot["accounts"][a]["name"] for a in node["accounts"]))
             for path, node in snapshot["ous"].items()},
        accounts=sorted((a["name"], a["email"], a["status"], a["ou"], tuple(a["policies"]))
                        for a in snapshot["accounts"].values()),
        policies=snapshot["policies"],
    )


# AWS attaches FullAWSAccess to every new root, OU and account; showing it
# everywhere would hide the policies the landing zone itself attached.
_IMPLICIT_SCPS = {"FullAWSAccess"}


def render_tree(snapshot):
    """An indented text tree: OUs, accounts with ids, SCPs where attached (FullAWSAccess omitted)."""
    lines = []

    def walk(path, prefix, last):
        node = snapshot["ous"][path]
        label = "root" if path == "/" else path.rsplit("/", 1)[-1] + "/"
        attached = [p for p in node["policies"] if p not in _IMPLICIT_SCPS]
        scps = f"  [SCP: {', '.join(attached)}]" if attached else ""
        if path == "/":
            lines.append(f"{label} ({node['id']}){scps}")
            child_prefix = ""
        else:
            lines.append(f"{prefix}{'└── ' if last else '├── '}{label} ({node['id']}){scps}")
            child_prefix = prefix + ("    " if last else "│   ")
        items = [("ou", c) for c in node["children"]] + [("account", a) for a in node["accounts"]]
        for index, (kind, item) in enumerate(items):
            is_last = index == len(items) - 1
            if kind == "ou":
                walk(item, child_prefix, is_last)
            else:
                account = snapshot["accounts"][item]
                attached = [p for p in account["policies"] if p not in _IMPLICIT_SCPS]
                scps = f"  [SCP: {', '.join(attached)}]" if attached else ""
                status = "" if account["status"] == "ACTIVE" else f" {account['status']}"
                lines.append(
                    f"{child_prefix}{'└── ' if is_last else '├── '}{account['name']} {account['id']}"
                    f" <{account['email']}>{status}{scps}"
                )

    walk("/", "", True)
    return "\n".join(lines)


def render_mermaid(snapshot, title="Organization"):
    """The same tree as a Mermaid flowchart inside a Markdown document."""
    def node_id(value):
        return "n_" + "".join(c if c.isalnum() else "_" for c in value)

    lines = [f"# {title}", "", "```mermaid", "flowchart TD"]
    for path, node in snapshot["ous"].items():
        label = "root" if path == "/" else path
        scps = "<br/>SCP: " + ", ".join(node["policies"]) if node["policies"] else ""
        lines.append(f'    {node_id(path)}["{label}{scps}"]')
        for child in node["children"]:
            lines.append(f"    {node_id(path)} --> {node_id(child)}")
        for account_id in node["accounts"]:
            account = snapshot["accounts"][account_id]
            scps = "<br/>SCP: " + ", ".join(account["policies"]) if account["policies"] else ""
            lines.append(f'    {node_id(account_id)}(["{account["name"]}<br/>{account_id}{scps}"])')
            lines.append(f"    {node_id(path)} --> {node_id(account_id)}")
    lines += ["```", ""]
    return "\n".join(lines)
