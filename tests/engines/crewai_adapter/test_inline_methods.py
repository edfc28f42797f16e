"""The agent executor's sync Flow methods run on its kickoff's thread, and only on a loop the kickoff owns."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from crewai import Agent, Process, Task
from crewai.flow.flow import Flow, listen, start
from crewai.tools import BaseTool

from autointel.engines.crewai_adapter.crew import CREW_ENV
from autointel.engines.crewai_adapter.crew_build import StepCrew, StepExecutor
from autointel.engines.crewai_adapter.inline_methods import CallerRunsExecutor, InlineSyncMethods
from autointel.engines.crewai_adapter.offline import OfflineLLM


def test_caller_runs_executor_runs_in_the_caller_without_a_running_loop() -> None:
    async def main() -> tuple[int, bool, bool]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(CallerRunsExecutor())

        def probe() -> tuple[int, bool, bool]:
            nested = asyncio.run(asyncio.sleep(0, result=True))  # what CrewAI's file store does in a method
            return threading.get_ident(), asyncio._get_running_loop() is None, nested

        ident, no_loop, nested = await asyncio.to_thread(probe)
        assert asyncio._get_running_loop() is loop  # restored for the coroutine that awaited
        return ident, no_loop, nested

    ident, no_loop, nested = asyncio.run(main())
    assert ident == threading.get_ident()
    assert no_loop and nested


def test_caller_runs_executor_hands_exceptions_to_the_awaiting_coroutine() -> None:
    async def main() -> None:
        asyncio.get_running_loop().set_default_executor(CallerRunsExecutor())

        def broken() -> None:
            raise ValueError("from the method")

        with pytest.raises(ValueError, match="from the method"):
            await asyncio.to_thread(broken)

    asyncio.run(main())


class Threads(InlineSyncMethods, Flow):  # type: ignore[misc]
    _skip_auto_memory = True

    @start()
    def first(self) -> int:
        return threading.get_ident()

    @listen("first")
    def second(self, first: int) -> tuple[int, int]:
        return first, threading.get_ident()


def test_a_kickoff_runs_sync_methods_on_its_own_thread() -> None:
    ran = Threads(suppress_flow_events=True).kickoff()
    assert ran == (threading.get_ident(), threading.get_ident())


def test_a_flow_awaited_on_a_shared_loop_keeps_crewai_threads() -> None:
    async def main() -> tuple[Any, int]:
        return await Threads(suppress_flow_events=True).kickoff_async(), threading.get_ident()

    (first, second), loop_thread = asyncio.run(main())
    assert loop_thread not in (first, second)


def test_the_step_executor_runs_the_tool_on_the_kickoff_thread(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**CREW_ENV, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    seen: list[int] = []

    class Where(BaseTool):
        def _run(self, **kwargs: Any) -> str:
            seen.append(threading.get_ident())
            return f"ran in {os.getpid()}"

    agent = Agent(role="Analyst", goal="Run the step.", backstory="You use your tool.",
                  llm=OfflineLLM(model="autointel-offline"), tools=[Where(name="where", description="Runs it.",
                                                                          result_as_answer=True)],
                  allow_delegation=False, verbose=False, max_iter=3, cache=False, executor_class=StepExecutor)
    task = Task(name="where", description="Run the tool once and report its result.",
                expected_output="The tool's result, verbatim.", agent=agent)
    crew = StepCrew(agents=[agent], tasks=[task], process=Process.sequential, verbose=False, memory=False)
    assert str(crew.kickoff().raw) == f"ran in {os.getpid()}"
    assert seen == [threading.get_ident()]
