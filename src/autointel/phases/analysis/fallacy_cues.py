"""Lexical cue patterns per fallacy type, over normalised (lower-case, straight-quote) sentences.

Each cue is (name, regex, strength): the name is quoted in the explanation so a reader sees why a
sentence was flagged; the strength (0..1) says how much the pattern alone suggests the fallacy.
Patterns are kept short-range (bounded gaps) so that long, innocent sentences do not match by chance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PERSON = r"(?:he|she|they|him|her|them|my opponent|my rival|the senator|the mayor|this (?:man|woman|guy))"
INSULT = (
    r"(?:liar|liars|idiot|fool|crook|clown|hypocrite|incompetent|amateur|moron|loser|lazy|arrogant|drunk|"
    r"criminal|dishonest|ignorant|stupid|corrupt|greedy|failed|failure|joke|nobody|crazy|lunatic|"
    r"extremist|radical|elitist|outsider|bitter|unqualified|not even from here)"
)
KIN = (
    r"(?:friend|friends|neighbou?r|neighbou?rs|cousin|uncle|aunt|brother|sister|mother|father|mom|dad|"
    r"coworker|co-worker|colleague|son|daughter|kid|kids|wife|husband|roommate|grandmother|grandfather)"
)
# "so" + a generalisation; "so I/we ..." introduces an action, not a conclusion.
CONCLUDE = r"(?:so|therefore|which (?:proves|shows|means)|that (?:proves|shows|means)|clearly|obviously)(?! (?:i|we)\b)"
UNIVERSAL = r"(?:all|every|everyone|everybody|always|never|nobody|no one|none|are all|is always|are always)"
POPULAR = (
    r"(?:everyone|everybody|all (?:of )?(?:my|your|our|the) (?:friends|neighbou?rs|colleagues)|"
    r"(?:most|nearly all|almost all) (?:of )?(?:the |our |your )?(?:\w+ )?(?:people|families|residents|households|"
    r"parents|citizens|neighbou?rs|voters|towns|cities|countries|schools|companies|folks|students|customers)|"
    r"millions(?: of people)?|thousands(?: of (?:people|families|residents))?|the majority|all the other|"
    r"every other|the whole (?:town|city|country|world|neighbou?rhood)|all your neighbou?rs)"
)
DANGER = (
    r"(?:danger|dangerous|unsafe|not be safe|die|dying|killed|harm|attacked|at risk|threat|afraid|"
    r"suffer|poison|poisoned|sick|disease|death|dead|destroyed|catastrophe|disaster|lose everything|"
    r"ruined|terror|chaos|flames|collapse|nightmare|predators|criminals|chok\w*|smoke|flood\w*|burn\w*|"
    r"drown\w*|suffocat\w*|cancer|fire|starv\w*|homeless|violence|violent)"
)
FAMILY = r"(?:your|our) (?:children|kids|families|family|daughters?|sons?|grandchildren|loved ones|homes?)"
AUTHORITY = (
    r"(?:famous|celebrity|well-known|renowned|nobel|billionaire|influencer|actor|actress|athlete|"
    r"footballer|singer|pop star|tv (?:host|star|chef)|television|expert|doctor|scientist|professor|"
    r"dr|ceo|chairman|president|governor|mayor)"
)


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    strength: float


def _cue(name: str, pattern: str, strength: float) -> Cue:
    return Cue(name, re.compile(pattern), strength)


def cue_table() -> dict[str, tuple[Cue, ...]]:
    """The cue patterns of every fallacy type, built fresh per call (cheap; no module state)."""
    return {
        "ad_hominem": (
            _cue("dismisses the person ('can't trust/listen to ... he/she')",
                 r"\b(?:can't|cannot|shouldn't|don't|never|nobody should|no one should|why would (?:we|you|anyone)|"
                 r"why should (?:we|you|anyone)) "
                 r"(?:trust|believe|listen to|take .{0,20}seriously)\b.{0,80}\b(?:he|she|they|him|her|"
                 r"his|their|someone|somebody|a man|a woman|a guy|who)\b", 0.75),
            _cue("personal insult", rf"\b{PERSON}\b.{{0,40}}\b{INSULT}\b", 0.65),
            _cue("personal insult", rf"\b{INSULT}\b.{{0,30}}\b(?:like (?:him|her|them)|who)\b", 0.55),
            _cue("'what would he/she know'",
                 r"\bwhat (?:would|does|could|do) (?:he|she|they|someone|somebody|a|an|this|that|these|those)\b"
                 r".{0,30}\bknow about\b", 1.0),
            _cue("dismisses the speaker's lack of personal experience",
                 r"\b(?:who|he|she|they)\b (?:has |have |had )?never (?:even )?(?:worked|held|had|owned|run|ran|"
                 r"built|finished|set foot|lived|raised|paid)\b", 0.6),
            _cue("'coming from someone who'",
                 r"\bcoming from (?:someone|somebody|a man|a woman|a person|a guy|him|her|them)\b", 1.0),
            _cue("'of course he/she would say that'",
                 r"\b(?:of course|naturally) (?:he|she|they)(?:'d| would)? (?:say|says|said)\b", 0.8),
            _cue("'ignore everything he says'",
                 r"\b(?:ignore|dismiss|disregard|reject|not listen to)\b.{0,30}\b(?:him|her|them|everything|anything|"
                 r"whatever|what) (?:he|she|they) (?:says|said|say|claims|thinks)\b", 0.9),
            _cue("attacks personal life",
                 r"\b(?:his|her|their) (?:personal life|divorce|divorces|affair|looks|appearance|weight|"
                 r"haircut|lifestyle|criminal record|drinking)\b", 0.6),
        ),
        "straw_man": (
            _cue("'so what you're saying is'",
                 r"\b(?:so|basically|in other words|essentially),? (?:what )?(?:you're|you are|they're|they are|"
                 r"he's|he is|she's|she is|my opponent is|my opponents are|the other side is|critics are)"
                 r"(?: really| basically| just| actually)? (?:saying|suggesting|telling us)\b", 1.0),
            _cue("'what they really want'",
                 r"\bwhat (?:\w+ ){1,3}(?:really|actually|secretly|basically) (?:want|wants|mean|means|believe|"
                 r"believes|are after|is after)\b", 1.0),
            _cue("exaggerates the other side's position ('want to ban/abolish ... all')",
                 r"\b(?:want|wants|would like|are trying|is trying|plan|plans)(?: us)? to (?:ban|abolish|destroy|"
                 r"eliminate|get rid of|take away|shut down|scrap|outlaw|throw out|tear down|end|stop|"
                 r"confiscate|close)\b.{0,40}\b(?:all|every|everything|everyone|entirely|completely|"
                 r"altogether|any|whole|forever)\b", 0.8),
            _cue("'in other words, they ...'", r"\bin other words,? (?:they|he|she|my opponents?|critics)\b", 0.6),
            _cue("caricatures the opponents' belief",
                 r"\b(?:apparently|so|basically) (?:they|he|she|my opponents?|critics|the other side) "
                 r"(?:think|thinks|believe|believes|want|wants) (?:that )?(?:we|nobody|no one|everyone|"
                 r"people should|all)\b", 0.7),
        ),
        "false_dilemma": (
            _cue("'either ... or'", r"\beither\b.{3,120}\bor\b", 0.6),
            _cue("'either we ... or'", r"\b(?:either (?:we|you|they|this city|this town|our)|(?:we|you|they) "
                 r"(?:can |must |will )?either)\b.{3,120}\bor\b", 0.8),
            _cue("'either ... or' with a dire alternative",
                 r"\beither\b.{3,120}\bor\b.{0,60}\b(?:die|dies|fail\w*|collaps\w*|lose|losing|never|bankrupt\w*|"
                 r"disappear\w*|suffer\w*|starv\w*|sink\w*|perish\w*|go under|ruin\w*|destroy\w*|doom\w*|chaos|"
                 r"dark|freeze|crumble\w*|dead)\b", 1.0),
            _cue("'only two options'",
                 r"\b(?:only|just) (?:two|2) (?:options|choices|ways|paths|possibilities|alternatives|outcomes)\b",
                 1.0),
            _cue("'with us or against us'", r"\bwith (?:us|me) or (?:you're |you are )?against (?:us|me)\b", 1.0),
            _cue("'the only alternative'",
                 r"\bthe only (?:alternative|other option|option|choice|other choice|way forward)\b", 0.7),
            _cue("'no middle ground'",
                 r"\b(?:there is|there's|there are) no (?:middle ground|other (?:option|choice|way|alternative)s?|"
                 r"third (?:option|way)|in-between)\b", 1.0),
            _cue("'if you don't support ... you must'",
                 r"\bif you (?:don't|do not|aren't|are not|won't) (?:support|back|vote for|agree with|stand with)\b"
                 r".{0,80}\byou (?:must|obviously|clearly|simply|just|really)\b", 1.0),
            _cue("'or else'", r"\bor else\b", 0.5),
        ),
        "slippery_slope": (
            _cue("'next thing you know'", r"\b(?:the )?next thing (?:you|we) know\b", 1.0),
            _cue("'where does it end'", r"\bwhere (?:does|will|would) (?:it|this) (?:end|stop)\b", 1.0),
            _cue("'today ..., tomorrow ...'", r"\b(?:today|first) (?:it's|it is|they)\b.{0,60}\b(?:tomorrow|next)\b",
                 0.9),
            _cue("'today ..., tomorrow ...'", r"\btoday\b.{0,60}\btomorrow\b", 0.6),
            _cue("chain of consequences ('if we ... then/soon ... eventually')",
                 r"\b(?:if|once|when)\b.{0,90}\b(?:then|soon|next|tomorrow|"
                 r"before long|pretty soon|in no time|lead to|leads to)\b.{0,100}\b(?:eventually|and then|then|"
                 r"finally|ultimately|until|before long|soon|end up|and after that)\b", 1.0),
            _cue("chain of consequences ('will lead to ... which will')",
                 r"\b(?:will|would|could) lead to\b.{0,80}\b(?:which (?:will|would)|and then|then|eventually|"
                 r"and finally|until)\b", 0.8),
            _cue("'before you know it'", r"\bbefore (?:you know it|we know it|long)\b", 0.6),
            _cue("'the first step'", r"\b(?:just |only )?the first step (?:on|down|toward|towards|to)\b", 0.6),
            _cue("'slippery slope'", r"\b(?:slippery slope|thin end of the wedge|opens? the floodgates)\b", 0.8),
        ),
        "appeal_to_authority": (
            _cue("'because ... says so'",
                 r"\b(?:because|since|as|simply)\b.{0,60}\b(?:says?|said|told (?:us|me)|claims?|believes?) so\b", 1.0),
            _cue("'says so'", r"\b(?:says|said) so\b", 0.6),
            _cue("'if he/she says it, it must be true'",
                 r"\bif (?:he|she|they|a|an|the|someone|somebody)\b.{0,50}\b(?:says?|said|believes?|thinks?)\b.{0,40}"
                 r"\b(?:must be|it's|has to be|then it's) (?:true|right|correct)\b", 1.0),
            _cue("a famous or senior figure endorses it, so it must be right",
                 rf"\b{AUTHORITY}\b.{{0,80}}\b(?:says?|said|endorses?|endorsed|recommends?|recommended|believes?|"
                 r"agrees?|supports?|backs?|approved|thinks?)\b.{0,60}\b(?:must be|has to be|that's (?:good )?enough|"
                 r"that settles it|end of (?:story|discussion|debate)|case closed|it's settled|so it is|"
                 r"so it's|so it must|so we should|that's all (?:we|you) need)\b", 1.0),
            _cue("'who are we to question'", r"\bwho are (?:we|you|they|i) to (?:question|argue|doubt|disagree)\b",
                 1.0),
            _cue("'trust me, I'm a ...'", r"\btrust me,? (?:i'm|i am|as) (?:a|an)\b", 1.0),
            _cue("a celebrity endorsement",
                 r"\b(?:famous|celebrity|well-known|renowned|nobel|billionaire|influencer|actor|actress|athlete|"
                 r"footballer|singer|pop star|tv (?:host|star|chef))\b.{0,80}\b(?:says?|said|endorses?|endorsed|"
                 r"recommends?|believes?|agrees?|supports?|backs?|uses?)\b", 0.6),
        ),
        "hasty_generalization": (
            _cue("one acquaintance's case generalised to everyone",
                 rf"\b(?:my|our|a) {KIN}\b.{{0,110}}\b{CONCLUDE}\b.{{0,60}}\b{UNIVERSAL}\b", 1.0),
            _cue("a personal anecdote generalised ('I met/tried ... so all')",
                 rf"\bi (?:met|know|knew|saw|tried|had|visited|talked to|spoke to|once)\b.{{0,90}}\b{CONCLUDE}\b"
                 rf".{{0,60}}\b(?:{UNIVERSAL}|are all|is always)\b", 0.9),
            _cue("a tiny sample generalised ('one/two ... so all')",
                 rf"\b(?:one|a single|two|three|a couple of|a few|once|last (?:week|time|month|year))\b.{{0,80}}"
                 rf"\b{CONCLUDE}\b.{{0,60}}\b{UNIVERSAL}\b", 0.8),
            _cue("a sweeping rule from personal experience",
                 rf"\b(?:all|every)\b \w+ (?:are|is)\b.{{0,60}}\b(?:i (?:know|met|saw)|my {KIN})\b", 0.8),
        ),
        "appeal_to_fear": (
            _cue("threat to the listener's family", rf"\b{FAMILY}\b.{{0,80}}\b{DANGER}\b", 0.8),
            _cue("threat to the listener's family", rf"\b{DANGER}\b.{{0,80}}\b{FAMILY}\b", 0.7),
            _cue("'be afraid'", r"(?<!not )(?<!n't )(?<!never )\b(?:be|you should be|we should all be|you'd better be|"
                 r"be very) "
                 r"(?:afraid|scared|terrified|frightened|worried)\b", 0.8),
            _cue("'nobody will be safe'", r"\b(?:nobody|no one|none of us|nothing) (?:will|would) be safe\b", 1.0),
            _cue("'before it's too late'", r"\b(?:before|until) it's too late\b", 0.6),
            _cue("asks the audience to imagine a catastrophe",
                 rf"\b(?:imagine|picture|think about)\b.{{0,60}}\b{DANGER}\b", 0.8),
            _cue("'unless we act, disaster'",
                 rf"\b(?:unless|if we don't|if you don't|if we do nothing|or else)\b.{{0,100}}\b{DANGER}\b", 0.7),
            _cue("'blood on your hands'", r"\bblood on (?:your|our|their) hands\b", 0.8),
            _cue("'think of the children'", r"\bthink (?:of|about) (?:the|your|our) (?:children|kids)\b", 0.8),
        ),
        "bandwagon": (
            _cue("popularity as proof ('everyone ... so it must')",
                 rf"\b{POPULAR}\b.{{0,80}}\b(?:so|therefore|which means|that means|and)\b.{{0,50}}\b(?:must|should|"
                 r"has to|have to|can't be wrong|right choice|true|the right)\b", 1.0),
            _cue("'everyone is already doing it'", rf"\b{POPULAR}\b.{{0,60}}\balready\b", 0.6),
            _cue("'people already do it, so it must be right'",
                 r"\b(?:people|families|residents|neighbou?rs|households|parents|customers|everyone|everybody)\b"
                 r".{0,60}\balready\b.{0,60}\bso\b.{0,30}\b(?:it must|it has to|you should|we should|you must|"
                 r"we must|you need to|it's (?:the )?right)\b", 0.8),
            _cue("'can't all be wrong'", r"\b(?:can't|cannot) (?:all )?be wrong\b", 1.0),
            _cue("'don't be left behind'",
                 r"\b(?:don't|do not) (?:be|get) left behind|\bbe the (?:only|last) (?:one|ones|city|town|country|"
                 r"school|family)\b|\b(?:jump|get) on (?:the )?(?:board|bandwagon)\b|\bjoin (?:the )?(?:millions|"
                 r"thousands|everyone|the majority)\b", 0.9),
            _cue("'everybody knows'", r"\b(?:everyone|everybody) (?:knows|agrees|is doing it|loves it)\b", 0.65),
            _cue("'it's popular, so'", r"\b(?:so|very|hugely|incredibly) popular\b.{0,40}\b(?:so|must|should)\b", 0.7),
        ),
        "circular_reasoning": (
            _cue("'because it is'", r"\b(?:true|right|good|best|just|fair|wrong|safe) because (?:it|he|she|they) "
                 r"(?:is|are|was|were) (?:true|right|good|the best|just|fair|wrong|safe)\b", 1.0),
            _cue("'by definition'", r"\bby definition\b", 0.5),
            _cue("'it is what it is because'", r"\bbecause (?:that's|that is) (?:just )?(?:what|how) (?:it|they) "
                 r"(?:is|are)\b", 0.7),
        ),
        "red_herring": (
            _cue("'but what about ...'", r"\b(?:but|yes|sure|okay|ok|and|well),? what about\b", 0.85),
            _cue("'what about ...'", r"\bwhat about\b", 0.55),
            _cue("'why are we talking about ... when'",
                 r"\b(?:why|how come) (?:are|is|do|does|should) (?:we|you|everyone|anyone|people|they)\b.{0,40}"
                 r"\b(?:talking|worried|worrying|focused|focusing|obsessing|complaining|arguing|care|caring) "
                 r"(?:about|on)\b", 0.9),
            _cue("'... is not the real issue'",
                 r"\b(?:is not|isn't|not|forget|never mind) (?:really )?(?:the|about the) (?:real |main |actual )?"
                 r"(?:issue|point|problem|question)\b|\b(?:the|a) (?:real|bigger|actual) "
                 r"(?:issue|question|problem|story|scandal|point|threat)\b.{0,60}\b(?:is not|isn't|not)\b", 0.75),
            _cue("'the real issue is'", r"\b(?:the|a) (?:real|bigger|more important|actual|true) (?:issue|question|"
                 r"problem|story|scandal|point|threat)\b", 0.6),
            _cue("'instead of talking about'",
                 r"\b(?:instead of|rather than) (?:talking|worrying|focusing|arguing|obsessing|complaining|"
                 r"discussing|debating) (?:about|on|over)?\b", 0.85),
            _cue("'let's not forget'", r"\blet's not forget\b|\blet us not forget\b", 0.5),
            _cue("'before we talk about'", r"\bbefore we (?:talk|worry|argue|get into)\b", 0.6),
            _cue("changes the subject ('but have you seen')",
                 r"\b(?:but|sure|yes|ok|okay)\b.{0,20}\b(?:have you|did you|has anyone) (?:seen|heard|noticed|"
                 r"looked at)\b", 0.8),
            _cue("'you ask about ..., but'",
                 r"\b(?:you ask|you asked|people ask|they ask|some ask|you're asking)\b.{0,80}\bbut\b", 0.8),
            _cue("'what really matters is'", r"\bwhat (?:really|actually) matters (?:here )?is\b", 0.6),
            _cue("'speaking of'", r"\bspeaking of\b", 0.5),
        ),
    }


def fired_cues(text: str, cues: tuple[Cue, ...]) -> tuple[float, str]:
    """Combined strength (noisy-or) of the cues matching `text`, and the name of the strongest one."""
    missing = 1.0
    best: Cue | None = None
    for cue in cues:
        if cue.pattern.search(text):
            missing *= 1.0 - cue.strength
            if best is None or cue.strength > best.strength:
                best = cue
    return (round(1.0 - missing, 6), best.name) if best else (0.0, "")
