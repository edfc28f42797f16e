"""CrewAI's own cost per task: a one-task crew whose tool returns at once, kicked off N times in a row.

Usage: python scripts/crewai_task_cost.py [ROUNDS] [TASKS]   (defaults 6 and 60)

Each round starts two fresh interpreters, in alternating order: one with the flow engines' indexed listener
lookup (`autointel.engines.listener_index`), one with CrewAI's own scan. Each builds TASKS crews configured as
the flow engine builds its step crews (the project's executor, offline LLM, instant profile, a tool whose result
is the answer), kicks off five to warm up, then times TASKS kickoffs. Printed per setting: the median over rounds
of wall and kickoff-thread CPU milliseconds per task. Nothing here waits for an LLM, so this is all framework.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

CHILD = "--child"


def child(tasks: int, indexed: bool) -> None:
    home = tempfile.mkdtemp(prefix="crewai-task-cost-")
    os.environ.update({"CREWAI_DISABLE_TELEMETRY": "true", "OTEL_SDK_DISABLED": "true",
                       "CREWAI_TRACING_ENABLED": "false", "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home})
    import logging

    from crewai import Agent, Process, Task
    from crewai.tools import BaseTool

    from autointel.engines import listener_index
    from autointel.engines.crew_build import StepCrew, StepExecutor
    from autointel.llm.offline import OfflineLLM

    listener_index.SUPPORTED = indexed  # read at each lookup: off means CrewAI's own scan
    logging.getLogger("crewai.llms.base_llm").setLevel(logging.ERROR)

    class Done(BaseTool):
        def _run(self, **kwargs: Any) -> str:
            return "done"

    llm = OfflineLLM(model="autointel-offline")

    def crew(i: int) -> StepCrew:
        tool = Done(name=f"step_{i}", description="Runs one step.", result_as_answer=True)
        agent = Agent(role="Analyst", goal="Complete the step.", backstory="You use your tool.", llm=llm,
                      tools=[tool], allow_delegation=False, verbose=False, max_iter=3, cache=False,
                      executor_class=StepExecutor)
        task = Task(name=f"step_{i}", description="Run the tool once and report its result.",
                    expected_output="The tool's result, verbatim.", agent=agent)
        return StepCrew(agents=[agent], tasks=[task], process=Process.sequential, verbose=False, memory=False)

    crews = [crew(i) for i in range(tasks + 5)]
    for warm in crews[:5]:
        warm.kickoff()
    wall, cpu = time.perf_counter(), time.thread_time()
    for timed in crews[5:]:
        timed.kickoff()
    print(json.dumps({"wall_ms": (time.perf_counter() - wall) / tasks * 1000,
                      "cpu_ms": (time.thread_time() - cpu) / tasks * 1000}))


def main() -> None:
    if sys.argv[1:2] == [CHILD]:
        child(int(sys.argv[2]), sys.argv[3] == "indexed")
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    found: dict[str, list[dict[str, float]]] = {"indexed": [], "crewai scan": []}
    for round_no in range(rounds):
        order = ["indexed", "crewai scan"] if round_no % 2 == 0 else ["crewai scan", "indexed"]
        for setting in order:
            out = subprocess.run([sys.executable, __file__, CHILD, str(tasks), setting.split()[0]],
                                 capture_output=True, text=True, check=True).stdout
            found[setting].append(json.loads(out.strip().splitlines()[-1]))
    for setting, values in found.items():
        wall = statistics.median(v["wall_ms"] for v in values)
        cpu = statistics.median(v["cpu_ms"] for v in values)
        print(f"{setting:12s} {wall:6.1f} ms wall, {cpu:6.1f} ms CPU per task (median of {rounds} processes)")


if __name__ == "__main__":
    main()
