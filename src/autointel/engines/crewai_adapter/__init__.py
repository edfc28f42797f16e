"""The CrewAI adapter: everything that knows CrewAI lives here, so phases and the plain asyncio engine never
import it. `crew` runs the plan as one crew, `flow` as a Flow of one-task crews; `crew_build` makes the agents,
tasks and the executor that runs a step inline; `listener_index`, `inline_methods` and `offline` are the
framework patches and the offline LLM they need (see docs/crewai.md)."""
