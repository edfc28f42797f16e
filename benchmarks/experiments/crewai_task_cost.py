"""CrewAI's own cost per task: a one-task crew whose tool returns at once, kicked off N times in a row.

Usage: nox -s experiment -- crewai_task_cost [ROUNDS] [TASKS] [--busy]   (defaults 6 and 60)

Each round starts one fresh interpreter per setting, in rotating order: the project's executor
(`crew_build.StepExecutor`), the same without its inline sync methods (`crewai_adapter.inline_methods`),
and the same without its indexed listener lookup (`crewai_adapter.listener_index`). Each builds TASKS
crews configured as the flow engine builds its step crews (offline LLM, instant profile, a tool whose result
is the answer), kicks off five to warm up, then times TASKS kickoffs. `--busy` runs a Python thread that
never sleeps beside the kickoffs, as a step doing Python work does in a run. Printed per setting: the median
over rounds of wall and kickoff-thread CPU milliseconds per task. Nothing waits for an LLM: this is all
framework.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

CHILD = "--child"
SETTINGS = ("project", "without inline methods", "without listener index")


def child(tasks: int, setting: str, busy: bool) -> None:
    home = tempfile.mkdtemp(prefix="crewai-task-cost-")
    os.environ.update({"CREWAI_DISABLE_TELEMETRY": "true", "OTEL_SDK_DISABLED": "true",
                       "CREWAI_TRACING_ENABLED": "false", "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home})
    import logging

    from crewai import Agent, Process, Task
    from crewai.agents.agent_executor import AgentExecutor
    from crewai.tools import BaseTool

    from autointel.engines.crewai_adapter import listener_index
    from autointel.engines.crewai_adapter.crew_build import ExecutorState, StepCrew, StepExecutor
    from autointel.engines.crewai_adapter.listener_index import IndexedListeners
    from autointel.engines.crewai_adapter.offline import OfflineLLM

    class WithoutInline(IndexedListeners, AgentExecutor):  # type: ignore[misc]
        initial_state = ExecutorState

    WithoutInline._flow_definition = StepExecutor._flow_definition
    executor = WithoutInline if setting == "without inline methods" else StepExecutor
    listener_index.SUPPORTED = setting != "without listener index"  # read at each lookup: off is CrewAI's scan
    logging.getLogger("crewai.llms.base_llm").setLevel(logging.ERROR)

    class Done(BaseTool):
        def _run(self, **kwargs: Any) -> str:
            return "done"

    llm = OfflineLLM(model="autointel-offline")

    def crew(i: int) -> StepCrew:
        tool = Done(name=f"step_{i}", description="Runs one step.", result_as_answer=True)
        agent = Agent(role="Analyst", goal="Complete the step.", backstory="You use your tool.", llm=llm,
                      tools=[tool], allow_delegation=False, verbose=False, max_iter=3, cache=False,
                      executor_class=executor)
        task = Task(name=f"step_{i}", description="Run the tool once and report its result.",
                    expected_output="The tool's result, verbatim.", agent=agent)
        return StepCrew(agents=[agent], tasks=[task], process=Process.sequential, verbose=False, memory=False)

    crews = [crew(i) for i in range(tasks + 5)]
    for warm in crews[:5]:
        warm.kickoff()
    stop = threading.Event()

    def spin() -> None:  # pure Python, never sleeps: holds the GIL but for the switch interval
        while not stop.is_set():
            sum(range(1000))

    if busy:
        threading.Thread(target=spin, daemon=True).start()
    wall, cpu = time.perf_counter(), time.thread_time()
    answers = {str(timed.kickoff().raw) for timed in crews[5:]}
    found = {"wall_ms": (time.perf_counter() - wall) / tasks * 1000,
             "cpu_ms": (time.thread_time() - cpu) / tasks * 1000}
    stop.set()
    if answers != {"done"}:
        raise SystemExit(f"{setting}: the crews answered {sorted(answers)}, not the tool's result")
    print(json.dumps(found))


def main() -> None:
    if sys.argv[1:2] == [CHILD]:
        child(int(sys.argv[2]), sys.argv[3], sys.argv[4] == "busy")
        return
    numbers = [a for a in sys.argv[1:] if a != "--busy"]
    busy = "busy" if "--busy" in sys.argv[1:] else "idle"
    rounds = int(numbers[0]) if numbers else 6
    tasks = int(numbers[1]) if len(numbers) > 1 else 60
    found: dict[str, list[dict[str, float]]] = {setting: [] for setting in SETTINGS}
    for round_no in range(rounds):
        shift = round_no % len(SETTINGS)
        for setting in SETTINGS[shift:] + SETTINGS[:shift]:
            out = subprocess.run([sys.executable, __file__, CHILD, str(tasks), setting, busy],
                                 capture_output=True, text=True, check=True).stdout
            found[setting].append(json.loads(out.strip().splitlines()[-1]))
    print(f"{tasks} tasks per process, a busy Python thread beside them: {busy == 'busy'}")
    for setting, values in found.items():
        wall = statistics.median(v["wall_ms"] for v in values)
        cpu = statistics.median(v["cpu_ms"] for v in values)
        print(f"{setting:24s} {wall:6.1f} ms wall, {cpu:6.1f} ms CPU per task (median of {rounds} processes)")


if __name__ == "__main__":
    main()
