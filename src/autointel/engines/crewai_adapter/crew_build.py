"""CrewAI objects for a run: LLM, tools bound to the run context, agents, tasks, and the event log.

Imported only by the crew engine, after the telemetry variables are set (crewai reads them at
import). One Agent per task: CrewAI refuses two concurrent tasks on one agent.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crewai import LLM, Agent, Crew, Process, Task
from crewai.agents.agent_builder.base_agent import BaseAgent
from crewai.agents.agent_executor import AgentExecutor, AgentExecutorState
from crewai.events import (
    LLMCallCompletedEvent,
    LLMCallStartedEvent,
    TaskCompletedEvent,
    TaskFailedEvent,
    TaskStartedEvent,
    crewai_event_bus,
)
from crewai.flow.flow import FlowState
from crewai.llms.base_llm import BaseLLM
from crewai.tools import BaseTool
from crewai.utilities.task_output_storage_handler import TaskOutputStorageHandler
from pydantic import PrivateAttr

from autointel.engines.context import RunContext
from autointel.engines.crewai_adapter.crew_layout import ROLES, CrewTask, run_step_once, wall_clock_offset
from autointel.engines.crewai_adapter.inline_methods import InlineSyncMethods
from autointel.engines.crewai_adapter.listener_index import IndexedListeners
from autointel.engines.crewai_adapter.offline import OfflineLLM
from autointel.engines.plan import Step
from autointel.llm.guard import ProviderGuard, guard_llm
from autointel.llm.profiles import ProviderModel
from autointel.settings import Settings


def make_llm(settings: Settings, provider: ProviderModel) -> BaseLLM:
    """`offline` is the deterministic local backend; anything else is a CrewAI model string.

    With `local`, each agent's turn that only names its step's tool is answered deterministically at once: a 135M
    model cannot follow CrewAI's ReAct protocol reliably, and the turn carries no content. The model's work is
    the parts it writes inside the steps (`phases.writing`), which every engine runs alike.

    Real calls get a per-call timeout and retries: the OpenAI SDK retries 429 and 5xx with exponential
    backoff and jitter (`max_retries`), and CrewAI adds its own backoff on rate limits. `ollama/<model>`
    goes through Ollama's OpenAI-compatible endpoint, since the LiteLLM route is not installed.
    """
    backend = settings.llm
    if backend == "offline":
        return OfflineLLM(model="autointel-offline").bind(provider)
    if backend == "local":  # the small local model writes the parts (`Resources.chat`); dispatch stays exact
        return OfflineLLM(model="autointel-dispatch")
    options: dict[str, Any] = {"timeout": settings.llm_timeout_s, "max_retries": settings.llm_retries}
    guard = ProviderGuard(settings.llm_timeout_s, settings.llm_retries)  # the timeout holds for the whole run
    if backend.startswith("ollama/"):
        base = settings.llm_base_url or os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434").rstrip("/") + "/v1"
        return guard_llm(LLM(model="openai/" + backend.removeprefix("ollama/"), base_url=base,
                             api_key=os.environ.get("OLLAMA_API_KEY", "ollama"), **options), guard)
    if settings.llm_base_url:
        options["base_url"] = settings.llm_base_url
    return guard_llm(LLM(model=backend, **options), guard)


class NoReplayLog(TaskOutputStorageHandler):
    """Stands in for CrewAI's `crewai replay` log in the flow's one-task crews.

    That log is one SQLite file of the "latest kickoff"; concurrent one-task crews would wipe each
    other's entries, and each entry costs a transaction. A run's result records every step instead.
    """

    def __init__(self) -> None:
        pass

    def update(self, task_index: int, log: dict[str, Any]) -> None:
        pass

    def add(self, *args: Any, **kwargs: Any) -> None:
        pass

    def reset(self) -> None:
        pass

    def load(self) -> list[dict[str, Any]] | None:
        return None


class StepCrew(Crew):
    """A one-task crew for the flow engine (see `NoReplayLog`)."""

    _task_output_handler: TaskOutputStorageHandler = PrivateAttr(default_factory=NoReplayLog)


class StepTool(BaseTool):
    """Runs one plan step against the run context it was built for."""

    _ctx: RunContext = PrivateAttr()
    _step: Step = PrivateAttr()

    @classmethod
    def for_step(cls, ctx: RunContext, step: Step) -> StepTool:
        description = f"Runs the {step.name.replace('_', ' ')} step of the {step.phase} phase."
        # The tool's result is the task's answer: one LLM turn decides to run the step, none restates it.
        tool = cls(name=step.name, description=description, result_as_answer=True)
        tool._ctx, tool._step = ctx, step
        return tool

    def _run(self, **kwargs: Any) -> str:
        return run_step_once(self._ctx, self._step)


class ExecutorState(FlowState, AgentExecutorState):
    """A Flow state class built once, for the state CrewAI's executor throws away (see `StepExecutor`)."""


class StepExecutor(IndexedListeners, InlineSyncMethods, AgentExecutor):
    """CrewAI's agent executor, given a prebuilt Flow state class (the documented `initial_state`), an
    indexed listener lookup (`listener_index`) and its sync methods run inline (`inline_methods`).

    A Flow's init first makes a state of its own, and without `initial_state` it builds a new pydantic
    class for it (`StateWithId`), one schema build per task of every run. The executor then replaces that
    state with its `AgentExecutorState`, so the state it runs with is CrewAI's either way. Effect on CrewAI's
    own cost per task: README, "G2 (framework cost)", with the commands that measure it.
    """

    initial_state = ExecutorState


# A Flow class collects its steps from its own namespace only, so a subclass would run none of the executor's
# (every task would end "without reaching a final answer"): it runs the parent's definition, built once.
StepExecutor._flow_definition = AgentExecutor.flow_definition()


def make_agent(step: Step, ctx: RunContext, llm: BaseLLM) -> Agent:
    return Agent(
        role=ROLES[step.phase],
        goal=f"Complete the {step.name.replace('_', ' ')} step accurately.",
        backstory=f"You own the {step.phase} phase of an intelligence pipeline and use your tool for it.",
        llm=llm,
        tools=[StepTool.for_step(ctx, step)],
        allow_delegation=False,
        verbose=False,
        max_iter=3,
        cache=False,
        executor_class=StepExecutor,
    )


def make_task(step: Step, agent: Agent, context: list[Task], is_async: bool = False) -> Task:
    return Task(
        name=step.name,
        description=f"Run the `{step.name}` tool once and report its result.",
        expected_output="The tool's result, verbatim.",
        agent=agent,
        async_execution=is_async,
        context=context,
    )


def build_crew(layout: tuple[CrewTask, ...], ctx: RunContext, llm: BaseLLM) -> tuple[Crew, dict[str, Task]]:
    agents: list[BaseAgent] = []
    tasks: dict[str, Task] = {}
    for item in layout:
        agent = make_agent(item.step, ctx, llm)
        agents.append(agent)
        tasks[item.step.name] = make_task(item.step, agent, [tasks[c] for c in item.context], item.is_async)
    crew = Crew(agents=agents, tasks=list(tasks.values()), process=Process.sequential, verbose=False, memory=False)
    return crew, tasks


class EventLog:
    """Task start/end from CrewAI's event bus, on the run's clock (events carry their own timestamps)."""

    def __init__(self, t0: float, tasks: dict[str, Task]) -> None:
        self._offset = wall_clock_offset(t0)
        self._names = {id(task): name for name, task in tasks.items()}
        self._lock = threading.Lock()
        self._starts: dict[str, float] = {}
        self._ends: dict[str, tuple[float, str]] = {}
        self._llm_starts: dict[str, float] = {}
        self._llm_calls: list[dict[str, Any]] = []

    def _at(self, event: Any) -> float:
        return float(event.timestamp.timestamp() - self._offset)

    def _task_name(self, event: Any) -> str | None:
        task = getattr(event, "task", None)
        return self._names.get(id(task)) if task is not None else None

    def _on_start(self, source: Any, event: Any) -> None:
        name = self._task_name(event)
        if name is not None:
            with self._lock:
                self._starts[name] = self._at(event)

    def _on_end(self, source: Any, event: Any) -> None:
        name = self._task_name(event)
        if name is not None:
            with self._lock:
                self._ends[name] = (self._at(event), "failed" if isinstance(event, TaskFailedEvent) else "ok")

    def _on_llm_start(self, source: Any, event: Any) -> None:
        with self._lock:
            self._llm_starts[str(event.call_id)] = self._at(event)

    def _on_llm_end(self, source: Any, event: Any) -> None:
        with self._lock:
            start = self._llm_starts.pop(str(event.call_id), None)
            if start is not None:
                usage = event.usage or {}
                self._llm_calls.append({
                    "task": getattr(event, "task_name", None) or "unknown",
                    "start_s": start,
                    "end_s": self._at(event),
                    "latency_s": self._at(event) - start,
                    "prompt_tokens": int(usage.get("prompt_tokens", 0) or 0),
                    "completion_tokens": int(usage.get("completion_tokens", 0) or 0),
                })

    @contextmanager
    def listening(self) -> Iterator[None]:
        handlers: list[tuple[Any, Any]] = [
            (TaskStartedEvent, self._on_start),
            (TaskCompletedEvent, self._on_end),
            (TaskFailedEvent, self._on_end),
            (LLMCallStartedEvent, self._on_llm_start),
            (LLMCallCompletedEvent, self._on_llm_end),
        ]
        for event_type, handler in handlers:
            crewai_event_bus.register_handler(event_type, handler)
        try:
            yield
        finally:
            crewai_event_bus.flush(timeout=10.0)
            for event_type, handler in handlers:
                crewai_event_bus.off(event_type, handler)

    def timings(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"name": name, "start_s": start, "end_s": self._ends.get(name, (None, "unfinished"))[0],
                 "status": self._ends.get(name, (None, "unfinished"))[1]}
                for name, start in sorted(self._starts.items(), key=lambda kv: kv[1])
            ]

    def llm_calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._llm_calls)
