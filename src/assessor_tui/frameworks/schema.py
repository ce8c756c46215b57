"""The published JSON Schema of framework files, generated from the model.

``python -m assessor_tui.frameworks.schema > docs/framework.schema.json``
regenerates the copy in docs/; a test fails when the two drift apart.
"""

from __future__ import annotations

import json
from typing import Any

from assessor_tui.frameworks.model import Framework

SCHEMA_ID = "https://assessor-tui.invalid/schema/framework-1.json"


def framework_schema() -> dict[str, Any]:
    schema = Framework.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    return json.dumps(framework_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
