"""Content-warning detection for film writing.

Film journalism is full of violent words used for craft and commerce ("a killer performance", "shot on 35mm",
"the director's cut", "a box-office massacre", "the film bombed"), so a keyword list warns on half of all
reviews. This detector works on word tokens with four kinds of data, all in the tables below:

* **phrases** per category, each with a weight. ``STRONG`` phrases (1.0) warn on their own; ``WEAK`` (0.5)
  and ``FAINT`` (0.35) ones only when other distinct evidence for the same category adds up to the
  category's threshold (1.0), so one stray "brutal" or "slasher" never warns;
* **neutral phrases** (idioms, film jargon, titles) that claim their words first, so "killer soundtrack"
  hides "killer" and "box-office massacre" hides "massacre";
* **pairings**: a subject word and a harm word a few words apart in one clause, for harm to children
  ("children were killed") and animals ("the horse is shot"), violence done to people ("shoots two men"),
  domestic abuse told through verbs ("a husband who belittles her") and gore ("saws through his own leg");
* **negation**: a negator ("no", "without", "never", "n't", "non-") up to five words before a hit, in the
  same clause, cancels it ("no animals were harmed", "without any violence", "gore-free"), unless it is part
  of an emphatic idiom ("no shortage of", "doesn't shy away from", "pulls no punches").

Around those, four more things (issue 12):

* **names of works are not evidence**: titles (quoted, italic in the source, ALL CAPS in a headline, after a
  film cue, Letterboxd's film, the club's schedule) are masked first (:mod:`domain.digest.worktitles`), so
  "KILL SCREEN From WOLF CREEK Director" warns about nothing while what the text says happens around a
  title still counts;
* **relations**: a victim and a harm in one clause, in either voice, over lemmatised words
  (:mod:`domain.digest.cw_relations`: "the boy is kidnapped and beaten", "guts a deer");
* **tone words never warn alone** (:data:`VAGUE`: "traumatic", "brutal", "gruesome"): a warning needs one
  concrete phrase, and only concrete phrases are shown to moderators as evidence;
* **one pass**: the phrase scan also reports where the spoiler rules' keywords are, so the digest gets
  warnings and spoiler wording from one scan (:func:`detect_warnings_and_spoilers`).

Matching is leftmost-longest over words: at each word the longest phrase starting there wins, neutral or
not, and its words are then used up. Phrases use a small syntax: ``{a,b}`` expands alternatives inside a
word or phrase ("kill{,s,ed}" is kill/kills/killed), ``[x]`` marks an optional word, and hyphens or spaces
are interchangeable ("self-harm" is "self harm").

Speed: every phrase (rules, neutral phrases and the pairings' words) is compiled at import into one
character-trie regex that runs over the lower-cased text in C, so the Python work is per *hit*, not per
word; negation and pairing look only at the few hits. A 20 KB article costs about as much as feedparser
spends parsing it, which is the budget.

The tables are tuned on ``tests/domain/digest/cw_dataset.py`` and checked against a held-out set; the test
run prints precision and recall per category.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from domain.digest.cw_relations import HARM_FORMS, find_relations, is_contest
from domain.digest.cw_relations import effects as relation_effects
from domain.digest.models import CATEGORIES, CATEGORY_LABELS, ContentWarning
from domain.digest.spoilers import KEYWORD_WORDS as SPOILER_WORDS
from domain.digest.spoilers import reasons_at as spoiler_reasons_at
from domain.digest.worktitles import (
    MASK_CHAR,
    TitleIndex,
    clean_titles,
    lower_same_length,
    mask_spans,
    title_index,
)

STRONG = 1.0
WEAK = 0.5
FAINT = 0.35
THRESHOLD = 1.0
# Per-category thresholds; every category uses the default today, the table is here to tune one alone.
THRESHOLDS: Mapping[str, float] = {category: THRESHOLD for category in CATEGORIES}
MAX_EVIDENCE = 6
# A category that always implies another: torture is violence, so a server hiding violence hides torture.
IMPLIES: Mapping[str, tuple[str, ...]] = {"torture": ("violence",)}

_Rule = tuple[str, float]


def _strong(*patterns: str) -> tuple[_Rule, ...]:
    return tuple((p, STRONG) for p in patterns)


def _weak(*patterns: str) -> tuple[_Rule, ...]:
    return tuple((p, WEAK) for p in patterns)


def _faint(*patterns: str) -> tuple[_Rule, ...]:
    return tuple((p, FAINT) for p in patterns)


# fmt: off
RULES: Mapping[str, tuple[_Rule, ...]] = {
    "violence": (
        *_strong(
            # Bare "murder" is a topic ("true crime romanticizes murder"); a murder, its victim, a killer is an act.
            "murder{s,ed,ing,er,ers}", "murder of",
            "{a,the,this,that,his,her,their,its,brutal,grisly,gruesome,double,triple,mass,attempted,savage,"
            "horrific,shocking,unsolved,cold blooded,violent,bloody,vicious,ritual,ritualistic} murder",
            "murder {victim,victims,scene,scenes,spree,sprees,case,cases,trial,trials,investigation,"
            "investigations,suspect,suspects,charge,charges,weapon,site,plot,plots,rampage,sprees}",
            "{daughter's,son's,wife's,husband's,father's,mother's,brother's,sister's,friend's,child's,partner's,"
            "family's,girlfriend's,boyfriend's,parents',fiance's,fiancee's,victim's} murder", "killing spree{,s}", "killed", "killings",
            "the killing of", "masked killer",
            "killer {stalks,stalking,hunts,hunting,targets,murders,slaughters}", "shot dead",
            "shot and {killed,wounded}", "shot to death", "fatally shot", "shot by police",
            "shot in the {head,chest,back,face,neck,stomach,leg,arm,heart}", "{shot,shoots,shoot} him",
            "{gets,got,getting} shot", "gunned down", "gunfight{,s}", "gunfire", "gunshot{,s}", "gunman",
            "gunmen", "shootout{,s}", "shoot out{,s}", "{mass,school,drive by,fatal,police} shooting{,s}",
            "shooting {spree,rampage}", "stab{bed,bing,bings}", "violence", "bloodshed",
            "bloodbath{,s}", "carnage", "massacre{,s,d}", "slaughter{,s,ed,ing}",
            "beaten {to death,up,senseless,unconscious,bloody}", "brutally {beaten,attacked,killed}",
            "beat{s,,ing} {him,her,them} {up,to death}", "beatings", "police brutality",
            "strangl{e,ed,es,ing}", "strangulation", "choked to death", "bludgeon{,ed,ing,s}",
            "hacked to death", "stoned to death", "burned alive", "buried alive",
            "{slit,slits,slitting,cut,cuts,slashed,slashes} {his,her,their,a} throat{,s}", "throat{,s} slit",
            "assassinat{e,ed,es,ing,ion,ions}", "war crime{,s}", "genocide", "ethnic cleansing",
            "{terror,terrorist} attack{,s}", "car bomb{,s,ing,ings}", "suicide bomb{er,ers,ing,ings}",
            "bomb blast{,s}", "bombing raid{,s}", "firing squad", "{public,mass} execution{,s}",
            "execution style", "publicly executed", "home invasion",
            "snuff {film,films,movie,movies,video,videos,footage}", "decapitat{e,ed,es,ing,ion,ions}",
            "behead{ed,ing,ings}", "dismember{,ed,ing,ment,ments,s}", "disembowel{,ed,led,ing,ling,ment,ments}",
            "lynch{ing,ings,ed}", "lynch mob{,s}", "domestic violence", "fist fight{,s}", "fistfight{,s}",
            "at {gunpoint,knifepoint}", "bodies pile up", "blown to pieces",
            "blows {his,her,their} brains out", "torn limb from limb",
            "{gun,rifle,machine gun,sniper,automatic,cannon} fire",
            "{corridor,hallway,bar,street,knife,gun,sword,axe,hammer} fight{,s}", "mowed down", "mown down",
            "pogrom{,s}", "{air,drone,missile,rocket} strike{,s}", "airstrike{,s}", "shelling",
            "{high,huge,massive,impressive,hefty,staggering,rising,big,bigger,sky high,double digit} body count{,s}",
            "footage of {an,the,a} {execution,killing,beheading,shooting,murder,massacre,lynching}",
            "{claims,claimed,claiming} {its,his,her,their,another,a,the} [first,next,latest,new,final] victim",
            "{injured,wounded,beaten,shot,stabbed,attacked} and left for dead",
            "{horrific,brutal,deadly,fatal,savage,vicious,violent,bloody,murderous} attack{,s}",
            "{chained,shackled,locked,caged} [up] in {a,the,his,her,their} {basement,cellar,cage,shed,dungeon,pit,"
            "attic,crawlspace}",
            "{invaded,attacked,stalked,hunted,terrorized,terrorised,targeted,pursued,chased,menaced,besieged,"
            "ambushed} by [a,the] [masked,crazed,deranged,mysterious,unseen,group of,gang of,pack of] {killer,"
            "killers,murderer,murderers,psychopath,maniac,maniacs,intruders,gunmen,assailants,attackers,cultists}",
            "{bloody,violent,deadly,brutal,murderous} siege{,s}",
            "{dropping,drop,drops,dropped} bodies", "bodies {drop,dropping,start dropping,begin dropping,pile up,"
            "piling up,start piling up,hit the floor}", "{leaves,leaving,left} a trail of {bodies,corpses,dead}",
            "{dispatch,dispatches,dispatching,dispatched} {soldiers,enemies,victims,men,zombies,attackers,"
            "henchmen,goons,nazis,guards,them} with {a,an,his,her,their} {pickaxe,axe,knife,machete,sword,"
            "hammer,chainsaw,shotgun,gun,rifle,bat,crowbar,spear,bow}",
            "{claims,claimed,claiming} {two,three,four,five,more,several,many,new,its,his,her,their} [more,new] "
            "victims",
            # Rating descriptors that gore's phrases would otherwise swallow whole ("Rated R for Bloody Violence").
            "{bloody,grisly,gruesome,gory} violence", "bloody violent content", "bloody horror violence",
            # A real or fictional person who killed: "the story of convicted killer Jane Andrews".
            "{convicted,confessed,self confessed} {killer,killers,murderer,murderers}",
            # Someone who abducted a person (news of a real abduction; a film's premise says "is kidnapped").
            "abductor{,s}",
            # A violent death told as a fate: "watching people meet their gruesome ends".
            "{meet,meets,met,meeting} {their,his,her,a,an,its} {gruesome,grisly,bloody,violent,brutal,horrific,"
            "gory,grim,grotesque,savage} {end,ends,fate,fates,demise,death,deaths}",
            "{gruesome,grisly,violent,brutal,horrific,gory,savage} {death,deaths,demise}",
        ),
        *_weak(
            # A plan is not an act: "Iran's assassination scheme ... crumbled" (a carried-out one is strong).
            "{assassination,murder} {scheme,schemes,conspiracy,conspiracies}", "assassination plot{,s}",
            "kill{,s}", "killer{,s}", "killing", "murder", "slasher{,s}", "serial killer{,s}", "hitm{an,en}", "hit m{an,en}", "assassin{,s}",
            "left for dead", "fight {scene,scenes,sequence,sequences,choreography}",
            "{hammer,knife,axe,machete,gun,chainsaw,sword,bat,crowbar} wielding",
            "stabs", "rampage{,s}", "siege{,s}", "violent", "violently",
            "{fend,fends,fending,fended,fight,fights,fighting,fought} off {attackers,assailants,intruders,"
            "invaders,killers,gunmen,raiders}", "terrorist{,s}", "terrorism", "murderous", "killed off",
            "mutilat{e,ed,es,ing,ion}", "suffocat{e,ed,es,ing}", "holocaust", "kidnap{,s,ped,ping,per,pers}",
            "abduct{,s,ed,ion,ions}", "brutaliz{e,ed,es,ing}", "brutalis{e,ed,es,ing}", "child soldier{,s}",
            "bloody {fight,fights,battle,battles,revenge}", "stalk and slash", "body count{,s}",
            "{inventive,creative,brutal,gruesome,gory,elaborate,practical} kills",
        ),
        *_faint(
            "attack{,s,ed,ing}", "assault{,s,ed,ing}", "brutal{,ly,ity}", "savage{,ly,ry}", "explosion{,s}",
            "bomb{,s}", "bombing{,s}", "gun{,s}", "knife", "knives", "machete{,s}", "chainsaw{,s}",
            "punch{ed,es,ing}", "brawl{,s}", "drowned", "hanged", "war zone", "atrocit{y,ies}", "hostage{,s}",
            "weapon{,s}", "corpse{,s}", "dead bod{y,ies}",
            "slasher {film,films,movie,movies,flick,flicks,genre,franchise,franchises,fans,icon,icons,villain,"
            "villains,classic,classics,horror,thriller,thrillers,pic,pics,comedy}",
            # Genre labels: a film's kind, not an act it shows ("the serial killer thriller 'The Huntsman'"),
            # faint so that two of them ("a home invasion horror short for slasher lovers") stay below a warning.
            "serial killer {thriller,thrillers,film,films,movie,movies,horror,flick,flicks,drama,story,stories,"
            "genre,podcast,podcasts,show,series,novel,novels}",
            "home invasion {horror,thriller,thrillers,film,films,movie,movies,flick,short,shorts,genre,story,"
            "romance,comedy,comedies,drama,dramas,satire,pic,feature,romp,tale}",
        ),
    ),
    "gore": (
        *_strong(
            "gore", "gory", "gorefest", "gore fest", "goriest", "blood soaked", "blood spattered",
            "blood splattered",
            "blood {splatter,splatters,splattering,spatter,spattering,spurts,spurting,sprays,spraying}",
            "splatter{,fest}", "viscera", "entrails", "disembowel{,ed,led,ing,ling,ment,ments}",
            "dismember{,ed,ing,ment,ments,s}", "decapitat{e,ed,es,ing,ion,ions}", "behead{ed,ing,ings}",
            "blood and guts",
            "severed {head,heads,limb,limbs,hand,hands,finger,fingers,arm,arms,leg,legs,ear,ears,tongue,"
            "foot,feet}",
            "exploding heads", "cannibalism", "cannibalistic", "flayed",
            "{eat,eats,eating,ate,eaten} {human flesh,people alive,him alive,her alive,them alive}",
            "strong bloody", "bloody {violence,images,content,horror violence}",
            "{extreme,graphic,gruesome,grotesque,visceral,gnarly,disgusting,stomach churning} body horror",
            "body horror to {an,the} extreme",
            "{grisly,gruesome,gory} {images,content,violence}", "flaying", "skinned alive",
            "eyeball{,s} {gouged,ripped,pierced}", "gouged out", "buckets of blood", "fountains of blood",
            "rivers of blood", "blood-drenched", "blood drenched", "gallons of blood",
            "{drenched,soaked,covered,dripping,awash,bathed,caked,splattered} in blood",
            "amputat{e,es,ed,ing,ion,ions}",
            "limbs {fly,flying}",
            "{saws,sawed,sawn,sawing,rips,ripped,tears,tore,torn} [a,the] {victim,victims,man,woman,him,her,"
            "them,people,someone,body} {in half,apart,to pieces,limb from limb}",
            "{delivers,delivering,deliver,brings,bringing,serves up,serving up} [the] {blood,gore,bloodshed}", "{burned,burnt,burning,burns,burn} alive", "throat{,s} slit",
            "{slit,slits,slitting,slashed,slashes,cut,cuts} {his,her,their,a,the} throat{,s}",
            "{eaten,devoured} alive",
        ),
        *_weak(
            "bloody", "blood", "bloodied", "guts", "bloodbath{,s}", "cannibal{,s}", "fake blood", "stage blood",
            # A genre's name: "Cronenbergian body horror", "5 Body Horror Films for the Shedding Season".
            "body horror", "gruesome{,ly}", "grisly", "mutilat{e,ed,es,ing,ion}",
            "intestines", "splattered", "gross out", "grotesque", "eviscerat{e,ed,es,ing,ion}",
            "flesh eating", "rotting {corpse,corpses,flesh}", "maggots", "carnage",
            "ripped apart",
        ),
        *_faint(
            # A genre or a series' label, not what it shows: "the cannibalistic trilogy comes to a climax".
            # (Not "the cannibal romance ... their grisly meals": the kind of story is part of what it shows.)
            "{cannibal,cannibalistic} {horror,horrors,trilogy,franchise,film,films,movie,movies,saga,series,flick,"
            "flicks,genre,sequel,classic,classics,subgenre}",
        ),
    ),
    "torture": (
        *_strong(
            "tortur{e,ed,es,ing,er,ers}", "waterboard{,ed,ing}", "torture chamber{,s}",
            "skinned alive", "flayed alive", "pulled out {his,her,their} {fingernails,nails,teeth}",
        ),
        *_weak(
            # The name of a genre ("the term 'torture porn' was coined then (thank you, Hostel)").
            "torture porn",
            "torment{,ed,ing,s}", "sadistic{,ally}", "sadism", "held captive", "captors", "flayed", "flaying",
            "interrogation {scene,scenes}", "mutilat{e,ed,es,ing,ion}",
            "snuff {film,films,movie,movies,video,videos}",
        ),
    ),
    "sexual-violence": (
        *_strong(
            "rape{,s,d}", "raping", "rapist{,s}", "{date,gang,marital,statutory} rape", "rape revenge",
            "sexual{,ly} assault{,s,ed}", "sexual abuse", "sexually abus{e,es,ed,ing,ive}", "sexual violence",
            "molest{,ed,ing,er,ers,ation,s}", "grop{ed,ing,es}", "sexual harassment",
            "sexually harass{ed,ing}", "non consensual", "nonconsensual", "incest{,uous}", "sex trafficking",
            "sexual predator{,s}", "sexual coercion", "coerced into sex", "sexual misconduct",
            "child sexual abuse", "paedophil{e,es,ia}", "pedophil{e,es,ia}", "child pornography",
            "forced {himself,themselves} on {her,him}", "sexual exploitation", "revenge porn",
            "drugged and {assaulted,raped,molested,abused}", "assaulted in {their,her,his} sleep",
        ),
        *_weak("grooming", "groomed", "trafficked", "metoo", "predatory", "misconduct"),
    ),
    "sexual-content": (
        *_strong(
            "sex scene{,s}", "sex tape{,s}", "sex comedy", "bdsm", "kinky sex", "{very,extremely,incredibly,so,really} horny", "{has,have,having,had} sex", "sexual content",
            "sexually explicit", "explicit sex", "graphic sex", "explicit {scene,scenes} of sex",
            "erotic{,a,ism}", "erotic thriller{,s}", "nudity", "nude {scene,scenes}", "nude", "full frontal",
            "topless", "porn{,o}", "pornograph{y,ic}", "orgy", "orgies", "threesome{,s}",
            "masturbat{e,es,ing,ion}", "intercourse", "lovemaking", "love {scene,scenes}",
            "bed {scene,scenes}", "intimate {scene,scenes}", "softcore", "sex {act,acts}",
            "sexual {encounter,encounters,escapades,awakening}", "steamy sex",
            # The film described as sexual: "Karim Aïnouz's Sexually Perverse Black Comedy", "horny sci-fi horror".
            "sexually {perverse,graphic,frank,transgressive}",
            # Nudity as the thing discussed: "Prosthetic Penises." (a podcast's first line about a film).
            "prosthetic {penis,penises,genitals,genitalia,phallus}", "{penis,genital,genitalia} {shot,shots,scene,scenes}",
            "horny {comedy,comedies,horror,sci fi,romp,thriller,drama,film,films,movie,movies,tentacle,teen,"
            "vampire,monster,musical,romance}",
        ),
        *_weak(
            "sex", "sexual", "sexy", "steamy", "naked", "raunchy", "racy", "intimacy coordinator{,s}",
            "nc 17", "x rated", "strip club{,s}", "stripper{,s}", "prostitut{e,es,ion}", "sex work{,er,ers}",
            "lust{,ful}", "seduc{e,es,ed,tion,tive}", "kink{,y}", "fetish{,es}", "sensual{,ity}",
            "in bed together", "horny", "sexually charged",
        ),
    ),
    "child-harm": (
        *_strong(
            "child abuse", "child sexual abuse", "child abduction{,s}", "child murder{,s,er,ers}",
            "child killer{,s}", "infanticide", "paedophil{e,es,ia}", "pedophil{e,es,ia}", "child pornography",
            "child soldier{,s}", "child trafficking", "child neglect", "child endangerment",
            "abused as a {child,boy,girl,kid}", "molested as a {child,boy,girl,kid}",
            "{child's,children's,baby's,kid's,kids} {screams,cries,death,murder,corpse,body}",
            "death of a {child,baby}", "dead {child,children,baby,babies}", "child {death,deaths}",
            "killing children", "kill{s,,ed,ing} {a,the,two,three,her,his,their} {child,children,baby,kids}",
            "abused child{,ren}", "abducted child{,ren}", "kidnapped child{,ren}",
            "{drowned,murdered,missing,abducted,kidnapped} {girl,boy}",
        ),
        *_weak("grooming", "groomed", "abducted", "kidnapped"),
    ),
    "self-harm": (
        *_strong(
            "suicid{e,es,al}", "self harm{,ing}", "self injury", "self mutilation", "self inflicted",
            "{kills,killed,kill,killing} {herself,himself,themselves,myself,yourself}",
            "{took,take,takes,taking} {her,his,their,my,one's} own life",
            "end{,s,ed,ing} {her,his,their,my} own life",
            "{hanged,hangs,hang,hanging} {herself,himself,themselves}",
            "{shot,shoots,shoot} {herself,himself}",
            "{slit,slits,slitting,cut,cuts,cutting} {her,his,their} wrists",
            "{cutting,cuts,cut} {herself,himself,themselves}",
            "{throws,threw,throwing,hurls,hurled,flings,flung} {herself,himself,themselves} {off,from,over,under,"
            "in front of,into}", "jump{s,ed,} to {her,his,their} death",
            "overdos{ed,es} on purpose", "suicide attempt{,s}",
        ),
        *_weak("self destructive", "self destruction", "wants to die", "wanted to die", "death wish"),
    ),
    "abuse": (
        *_strong(
            "domestic {abuse,violence}",
            "abusive {relationship,relationships,marriage,husband,wife,father,mother,parent,parents,partner,"
            "boyfriend,girlfriend,stepfather,home,household}",
            "emotional{,ly} abus{e,ive,ed}", "psychological{,ly} abus{e,ive,ed}",
            "verbal{,ly} abus{e,ive,ed}", "physical{,ly} abus{e,ive,ed}", "spousal abuse", "coercive control",
            "battered {wife,wives,woman,women}", "wife beat{er,ers,ing}", "beats his wife", "beat his wife",
            "abuser{,s}", "gaslight{,s,ing,ed}", "intimate partner violence", "family violence",
            "abuse {allegation,allegations,lawsuit,lawsuits,claims,scandal,scandals,case,cases,charges,"
            "accusations,survivor,survivors,victim,victims}",
        ),
        *_weak(
            "abuse", "abused", "abusive", "controlling {husband,boyfriend,partner,father,mother}",
            "manipulative", "toxic relationship{,s}", "trauma", "traumatic", "traumatised", "traumatized",
            "bullied", "bullying",
        ),
    ),
    "animal-harm": (
        *_strong(
            "animal {cruelty,abuse,abuses,killing,killings,deaths,death,torture,testing,sacrifice}",
            "cruelty to animals", "dog{,s} {fighting,fights}", "dogfight{,s,ing}", "cockfight{,s,ing}",
            "bullfight{,s,ing}", "poach{ing,er,ers,ed}", "slaughterhouse{,s}", "abattoir{,s}",
            "killing of animals", "animals were harmed", "animals are {killed,harmed,slaughtered}",
            "the dog dies", "dog dies", "puppy dies", "horse dies", "cat dies", "trophy hunt{,ing,er,ers}",
            "{dog,cat,horse,puppy,kitten,pet,deer} {gets,is,was,got} run over",
            "puppy mill{,s}", "puppy farm{,s}",
            "fur trap{per,pers,ping}", "{trapping,trap,traps,trapped,hunting,hunt,hunts,hunted,killing,kill,kills,"
            "killed} {animals,wolves,bears,foxes,deer,whales,seals,elephants} for {their,its,the} "
            "{fur,furs,pelts,ivory,meat,skins,tusks,horns}",
        ),
        *_weak("hunting", "hunted", "put down", "roadkill"),
    ),
    "drugs": (
        *_strong(
            "drug {addiction,addict,addicts,abuse,use,user,users,dealer,dealers,dealing,lord,lords,cartel,"
            "cartels,trafficking,smuggling,bust,overdose,habit,den,mule,mules,runner,money,trade,fuelled,"
            "fueled,induced,taking,binge,problem,problems,use,war,wars,kingpin,empire,ring,deal,deals,trip}",
            "{doing,do,does,did,taking,take,takes,took,on,sells,selling,sold,deal,deals,dealing} drugs",
            "drugs and alcohol", "alcohol abuse", "illegal drugs", "hard drugs", "recreational drugs",
            "substance abuse", "heroin", "cocaine", "crack {cocaine,addict,addicts,den,dens,house,pipe}",
            "meth", "methamphetamine", "crystal meth", "meth lab{,s}", "opioid{,s}", "fentanyl", "oxycodone",
            "oxycontin", "ketamine", "mdma", "ecstasy {pill,pills,tablets}", "lsd", "acid trip{,s}",
            "magic mushrooms", "psilocybin", "psychedelics", "narcotic{,s}", "overdos{e,ed,es,ing}",
            "shooting up", "snort{s,ed,ing} {cocaine,coke,lines,a line}", "snorting", "opium",
            "{heroin,opioid,alcohol,drug,cocaine,painkiller,pill,pills,prescription,meth,crack,substance,"
            "drink,drinking} "
            "addiction{,s}", "alcoholism", "binge drinking",
            "drinking problem", "withdrawal symptoms", "stoner {comedy,comedies,movie,film}", "marijuana",
            "cannabis", "getting high", "got high", "gets high", "crackhead{,s}",
            "{constant,constantly,permanent,permanently,perpetual,perpetually,continuous,heavy,heavily} "
            "[level of] {intoxicated,intoxication,drunk,drunkenness,inebriated,inebriation,drinking}",
        ),
        *_weak(
            "drug{,s}", "addiction", "addicted", "addict{,s}", "junkie{,s}", "alcoholic{,s}", "drunk{,en}",
            "weed", "stoned", "rehab", "relapse{,s,d}", "sobriety", "withdrawal", "drinking", "stoner{,s}",
            "cartel{,s}", "narco{,s}", "intoxicat{ed,ion}", "inebriat{ed,ion}", "booze", "boozing",
            "painkiller{,s}", "pills", "dealer{,s}", "hallucinogen{,s,ic}",
        ),
        *_faint("alcohol", "hangover{,s}"),
    ),
    "flashing-lights": (
        *_strong(
            "flashing {lights,light,images,imagery,sequences,sequence,effects,scenes}", "strobe{,s}",
            "strobing", "strobe {light,lights,lighting,effects,effect}", "photosensitiv{e,ity}",
            "epilep{sy,tic}", "{rapidly,rapid} flashing", "flickering {lights,light,images,imagery}",
            "photosensitive epilepsy", "seizure warning{,s}", "trigger seizures", "may cause seizures",
            "light sensitivity",
        ),
        *_weak("flashing", "flicker{,s,ing}", "seizure{,s}", "blinding lights"),
    ),
    "hate": (
        *_strong(
            "racis{m,t,ts}", "racial slur{,s}", "slur{,s}", "n word", "homophob{ia,ic,e,es}",
            "transphob{ia,ic,e,es}", "antisemit{ism,ic,e,es}", "anti semit{ism,ic,e,es}", "islamophob{ia,ic}",
            "xenophob{ia,ic,e,es}", "bigot{,s,ry,ed}", "white supremac{y,ist,ists}", "neo nazi{,s}",
            "ku klux klan", "kkk", "klan{,sman,smen}", "hate crime{,s}", "hate speech", "lynch{ing,ings,ed}",
            "lynch mob{,s}", "ethnic cleansing", "holocaust",
            "racial {abuse,violence,hatred,epithets,epithet,trauma,terror}", "racially {abused,abusive,motivated}",
            "gay bashing", "genocide", "queerphob{ia,ic}", "hate group{,s}",
            "nazi{,s} {salute,salutes,ideology,propaganda}",
        ),
        *_weak(
            "jim crow",
            "nazi{,s}", "misogyn{y,ist,istic}", "sexis{m,t}", "discriminat{ion,ory}", "prejudice{,d}",
            "hateful", "hatred", "slavery", "segregation", "apartheid", "ableis{m,t}", "fascis{m,t,ts}",
            "slave{,s}",
        ),
    ),
}
# fmt: on

# Idioms, film jargon and titles. They are matched like phrases but warn about nothing: their words are used
# up so that "killer" in "killer soundtrack" or "massacre" in "box-office massacre" cannot match afterwards.
# fmt: off
NEUTRAL: tuple[str, ...] = (
    # craft and commerce
    # Gore as fandom and critique, not content: "a gore gimmick", "gorehounds".
    "gore {gimmick,gimmicks,hound,hounds,fan,fans,lover,lovers,nerd,nerds}", "gorehound{,s}",
    # Music and science fiction, not acts: "a brutal death metal score", "the alien abductors return".
    "brutal death metal", "alien abductor{,s}",
    "killer {performance,performances,soundtrack,soundtracks,score,cast,app,line up,lineup,chemistry,look,"
    "outfit,outfits,instinct,heels,smile,joke,jokes,twist,twists,hook,hooks,riff,riffs,beat,opening,ending,"
    "ensemble,combo,combination,deal,fashion,style,dance,moves,song,songs,track,tracks,tunes,chorus,script,"
    "premise,set,set piece,trailer,teaser,reviews,weekend,debut,final act,third act,first act,monologue,"
    "line,lines,one liners,comic timing,turn,visuals,production design,costumes}",
    "{a,the,his,her,their,its} killer {new,first,second,third,latest}", "killer obsession{,s}", "lady killer{,s}", "killer whale{,s}",
    "killer queen", "killer app{,s}", "killer instinct", "killed it", "kills it", "killing it", "kill it",
    "killed the mood", "kill the mood", "killing time", "kill time", "made a killing", "make a killing",
    "making a killing", "killed at the box office", "killing at the box office", "kill for", "would kill for",
    "dressed to kill",
    "{project,film,show,series,sequel,deal,plan,plans,idea,franchise,reboot,spinoff,spin off} {was,were,got,"
    "has been,had been} killed",
    "killed {the,a} {project,film,show,series,sequel,deal,plan,plans,idea,franchise,reboot,spinoff,spin off}",
    "killed {the,a,its,their} {planned,proposed,upcoming,announced,long awaited,rumoured,rumored,potential,"
    "second,third,new} {project,film,show,series,sequel,deal,franchise,reboot,spinoff,spin off}",
    "killed by the studio", "kill {the,a} {project,film,show,series,sequel,deal,franchise}",
    "dying to {see,watch,know}", "to die for", "die hard", "die hard fans", "diehard",
    "shot on {film,location,digital,35mm,16mm,70mm,65mm,imax,an iphone,iphone,video,super 8,super 16,"
    "celluloid}",
    "shot in {black and white,colour,color,sequence,one take,a single take,widescreen,academy ratio}",
    "shot for shot",
    "{opening,closing,final,first,last,wide,long,close,tracking,establishing,aerial,drone,single,one,"
    "overhead,static,crane,master,reaction,insert,money,two,dolly,handheld,split,key} shot{,s}",
    "shot list", "shot of", "shots of", "beautifully shot", "gorgeously shot", "well shot",
    "shot by cinematographer", "a shot at", "shot at glory", "a long shot", "big shot{,s}", "hot shot{,s}",
    "hotshot{,s}", "parting shot", "shoot for", "photo shoot{,s}", "shooting schedule", "shooting script",
    "shooting location{,s}", "began shooting",
    "{director's,directors,final,rough,theatrical,extended,fine} cut", "cut scene{,s}", "jump cut{,s}",
    "{gripping,flawless,slick,clumsy,masterful,solid,sloppy,stylish,excellent,technical,confident,careful,"
    "precise,assured,deft,inventive,bold,uneven,effective} execution",
    "explosive {finale,finales,chemistry,performance,performances,ending,climax,debut,start,opening,trailer,"
    "reveal,revelation,interview,memoir,allegations,success,box office,sequel,third act}",
    "box office {massacre,slaughter,bloodbath,carnage,bomb,bombs,disaster,killing,murder,dud,flop,casualty,"
    "casualties,war,wars,battle,battles,assault,attack}",
    "{a,the} {bloodbath,massacre,slaughter,carnage,bomb,disaster,war,battle,killing} at the box office",
    "{bombed,bombing,bombs} at the box office", "the film bombed", "box office bomb{,s}",
    "bombed with critics", "{massacred,slaughtered,savaged,attacked,murdered,eviscerated} by critics",
    "critics {savaged,massacred,attacked,eviscerated}", "f bomb{,s}", "photobomb{,ed,s}", "bath bomb{,s}",
    "da bomb", "the bomb", "time bomb", "horror section", "slasher fans", "murder mystery",
    "murder mysteries", "murder mystery {series,film,comedy}",
    "bloody {good,brilliant,marvellous,marvelous,great,hell,fantastic,awesome,fun,funny,well}", "bloody mary",
    "bloody valentine", "bloody good time", "bad blood", "new blood", "fresh blood", "young blood",
    "blood brothers", "blood relative{,s}", "blood sweat and tears", "blood moon", "blood sugar",
    "blood pressure", "blood type", "blood test{,s}", "blood bank", "blood donor", "blood ties",
    "blood simple", "true blood", "first blood", "there will be blood", "in cold blood", "blood, sweat",
    "gory details", "brutal{,ly} honest{,y}", "brutal honesty",
    "savage {reviews,review,wit,humour,humor,satire,comedy}", "assault on the senses", "sensory assault",
    "assault on precinct 13", "heart attack", "panic attack{,s}", "attack on titan", "attack ad{,s}",
    "charm offensive", "gun for", "gunning for", "jumped the gun", "jump the gun", "top gun", "smoking gun",
    "son of a gun", "stick{,s,ing} to {his,her,their} guns", "big guns", "young guns", "guns blazing",
    "guns n roses", "takes a stab at", "take a stab at", "a stab at", "stab at", "knife's edge", "knives out",
    "under the knife", "punch line", "punchline", "punches above", "rolls with the punches",
    "pulls no punches", "pull no punches", "packs a punch", "pack a punch", "one two punch", "brawl stars",
    "drowned out", "hostage to", "held hostage by", "weapon of choice", "secret weapon",
    "body count {rising}", "abuse of power", "abused {his,her,their} power", "substance abuse", "drug abuse",
    "alcohol abuse", "sexual abuse", "child abuse", "animal abuse", "racial abuse", "online abuse",
    "abuse of the system", "killer klowns", "fatal attraction", "fatal flaw",
    # words that look like harm but are not, in film and news copy
    "career suicide", "commercial suicide", "professional suicide", "political suicide", "box office suicide",
    "suicide squad", "suicide mission", "suicide doors",
    "tortured {artist,artists,soul,souls,genius,romance,past,poet,relationship,love,hero,heroes,protagonist,"
    "character,existence}",
    "torture to {watch,sit,endure,get}", "sheer torture", "torturous",
    "{the human form,human form,human forms,the human body,human bodies,soul,souls,psyche} {is,are,gets,being} "
    "tortured", "child actor{,s}", "child star{,s}",
    "former child star", "child prodig{y,ies}",
    "children's {film,films,book,books,author,show,television,tv,movie,movies,entertainment,programming,"
    "choir,hospital,charity}",
    "kids {film,films,movie,movies,show,shows,menu}", "family film{,s}", "child friendly", "kid friendly",
    "baby boom{,er,ers}", "baby driver", "million dollar baby", "rosemary's baby", "baby reindeer",
    "the karate kid", "kid gloves", "the kids are alright", "no country for old men", "no time to die",
    "no way home", "no hard feelings", "no other land", "never let me go", "never rarely sometimes always",
    "without remorse", "no escape", "no exit", "no one will save you", "no sudden moves", "not okay", "nope",
    "hunting dog{,s}", "sniffer dog{,s}", "guard dog{,s}", "hot dog{,s}", "top dog", "dog days",
    "dog eat dog", "dog whistle", "cat and mouse", "fat cat{,s}", "dark horse", "horse race",
    "one horse town", "trojan horse", "pet project{,s}", "pet peeve{,s}", "teacher's pet", "party animal",
    "political animal", "animal instinct{,s}", "animal kingdom", "animal house", "animal farm",
    "dog day afternoon", "reservoir dogs", "isle of dogs", "raging bull", "the deer hunter",
    "killing of a sacred deer", "the killing of a sacred deer", "the wolf of wall street", "bird box",
    "black swan", "the power of the dog", "white house down", "the whale", "the hunt for", "hunting for",
    "job hunting", "house hunting", "treasure hunt{,ing}", "witch hunt{,s}", "bargain hunting",
    "hunted down {a,the} {copy,print,release}", "put down {roots,the book,the phone,a deposit}",
    "does the dog die", "doesthedogdie", "drug store", "drug store cowboy", "drugstore cowboy",
    "sex drugs and rock and roll", "sex drugs and rock n roll", "drug trial{,s}", "wonder drug",
    "miracle drug", "prescription drug prices", "drug company", "drug companies", "high school",
    "high stakes", "weed out", "weeds out",
    "addicted to {love,the thrill,fame,success,work,social media,his phone,her phone}",
    "addictive {watch,viewing,series,show,hook}", "binge watch{,ing,ed}",
    "drunk on {power,success,love,fame}", "punch drunk love", "punch drunk", "ecstasy of",
    "agony and the ecstasy", "overdose of", "an overdose of", "sex symbol{,s}", "sex appeal", "sex education",
    "sex and the city", "sex lies and videotape", "same sex", "sex and gender", "sexual orientation",
    "sexual identity", "sexual politics", "sex positive", "sex ed", "the naked gun", "naked eye",
    "naked truth", "naked ambition", "naked lunch", "naked city", "stripped back", "stripped down",
    "food porn", "misery porn", "trauma porn", "disaster porn", "ruin porn", "orgy of",
    "seductive {visuals,score,soundtrack,camerawork,cinematography,pitch,premise}", "the flash",
    "flash forward{,s}", "flashing back", "flashing a smile", "flashback{,s}", "blinding lights song",
    "pride and prejudice", "the hateful eight", "hateful eight", "grammar nazi{,s}", "soup nazi",
    "nuclear holocaust", "love hate relationship", "drug seizure{,s}", "asset seizure{,s}", "seizure of",
    "al gore", "gore verbinski", "lesley gore", "gore vidal", "tipper gore", "savage garden", "fred savage",
    "dan savage", "rick slaughter", "slaughterhouse five", "karen slaughter", "trigger warning{,s}",
    "content warning{,s}", "trigger happy", "the killing joke", "killing eve", "the killing fields",
    "killers of the flower moon", "the killers", "natural born killers", "kill bill",
    "the assassination of jesse james", "{the,} texas {chainsaw,chain saw} massacre", "memories of murder",
    "murder on the orient express", "a history of violence", "death wish", "the last house on the left",
    "curiosity killed the cat", "{time,some time,little time,hours,an hour} to kill", "i know what you did last summer", "kill list", "killer joe", "cannibal holocaust", "the human centipede",
    "bloodsport", "blood red sky", "henry portrait of a serial killer", "massacre at central high",
    "slaughter high", "the slumber party massacre", "my bloody valentine", "the town that dreaded sundown",
    # trade headlines: violence done to numbers, rivals and reviews ("murdered the box office")
    "{murder,murders,murdered,murdering,kill,kills,killed,killing,slay,slays,slayed,slaying,slew,"
    "slaughtered,massacred,butchered,crushed,crushing,destroyed,obliterated,annihilated,demolished,"
    "decimated,smashed} "
    "[the,its,all] {box office,competition,projections,expectations,estimates,tracking,forecasts,records,"
    "charts,rivals,predictions,presales,pre sales,opening weekend}",
    "{a,the} {bloodbath,massacre,slaughter,carnage} for [the,its] {studio,studios,hollywood,industry,"
    "theaters,theatres,cinemas,exhibitors,distributors,releases,smaller releases,new releases,"
    "holiday releases,sequel,sequels,franchise,tentpoles,blockbusters,box office,streamers,newcomers,"
    "holdovers,competition}",
    "{reviews,weekend,slate,box office,roast,opening weekend,numbers,opening,ratings,awards season,season,"
    "summer,premiere} {was,were,is,are,turned into} {a,an absolute,a total,a real} "
    "{bloodbath,massacre,slaughter,carnage}",
    "{a,an absolute,a real,the} killer at the box office", "a shot in the arm", "a shot across the bow",
    "{beaten,flogged,done} to death by {sequels,remakes,reboots,the studio,studios,franchises,imitators,"
    "critics,the internet,marketing,trailers}",
    "{murder,kill} me for {saying,admitting,this,it}", "{will,would,gonna} {murder,kill} me for",
    "{knife edge,knife's edge} {race,contest,battle,vote,finish}", "on a knife edge",
    "{shot,shoots,shooting} to {fame,stardom,the top,number one,prominence,celebrity}",
    "monster {hit,hits,success,opening,debut,weekend,numbers,box office,year,smash,grosses}",
    "{bombed,bombs,bombing} {in,with,on,at,overseas,domestically,badly,so badly,spectacularly,hard}",
    "a bomb at the", "dropped like a bomb", "bombshell{,s}", "trailer bomb",
    "critics {savaged,massacred,attacked,eviscerated,murdered,slaughtered,butchered,destroyed} the",
    "critics {savage,savages,massacre,massacres,slaughter,slaughters,murder,murders,butcher,butchers,"
    "destroy,destroys,eviscerate,eviscerate} the",
)
# fmt: on

# Words of tone, not of content ("a traumatic, brutal film"): they add to a category's score but never warn
# on their own, not even two of them, and are never shown as evidence. A warning needs one concrete phrase.
VAGUE: frozenset[str] = frozenset(
    f"{category}:{pattern}"
    for category, patterns in {
        # "slasher" and a bare "killer" name a genre or a character, not an act (the labelling guide).
        "violence": (
            "brutal{,ly,ity}",
            "savage{,ly,ry}",
            "murderous",
            "atrocit{y,ies}",
            "slasher{,s}",
            "killer{,s}",
        ),
        "gore": ("gruesome{,ly}", "grisly", "grotesque", "gross out"),
        "torture": ("torment{,ed,ing,s}", "sadistic{,ally}", "sadism"),
        "abuse": (
            "trauma",
            "traumatic",
            "traumatised",
            "traumatized",
            "manipulative",
            "toxic relationship{,s}",
        ),
        "sexual-content": (
            "sexy",
            "steamy",
            "racy",
            "sensual{,ity}",
            "seduc{e,es,ed,tion,tive}",
            "lust{,ful}",
        ),
        "self-harm": ("self destructive", "self destruction", "death wish"),
        "drugs": ("drinking",),
        "hate": ("hateful", "hatred"),
    }.items()
    for pattern in patterns
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Pairing:
    """A subject word near a harm word in one sentence: "the dog dies", "children are abducted"."""

    category: str
    subjects: frozenset[str]
    # Subjects that only count after a modifier ("little girl", "young son", "8-year-old boy").
    modified_subjects: frozenset[str]
    harms: Mapping[str, float]
    window: int = 3


_CHILD_MODIFIERS = frozenset(
    {"little", "young", "small", "baby", "infant", "toddler", "newborn", "teenage", "old"}
)

_CHILD_HARMS = _words(
    """killed kill kills killing murdered murder murders murdering abused abuse abusing abducted abduction
    kidnapped kidnapping kidnap screams screaming beaten beating beatings tortured torture torturing
    molested molesting harmed harming drowned drowning dies died death deaths starved starving neglected
    trafficked trafficking shot stabbed strangled burned assaulted raped endangered endangerment
    slaughtered massacred executed suffocated sacrificed sacrifice"""
)
_ANIMAL_HARMS = _words(
    """killed kill kills killing dies die died dying death shot abused abuse abusing cruelty tortured
    torture torturing slaughtered slaughter slaughtering poached poaching beaten beating poisoned
    drowned harmed harm mistreated mistreatment butchered skinned euthanised euthanized neglected
    starved maimed culled cull stabbed strangled sacrificed sacrifice mauled whipped deaths
    starve starving"""
)

# People a violent verb can be done to; "her" and "his" are left out because they are also possessives
# ("shoots her first feature"), and "them" because "shot them on 16mm" is film talk.
_PEOPLE = _words(
    """him man men woman women people person victim victims boy boys girl girls wife husband father mother
    son daughter brother sister friend friends stranger strangers cop cops officer officers soldier
    soldiers prisoner prisoners guard guards neighbour neighbours neighbor neighbors villager villagers
    civilians protesters hostages teenager teenagers teens student students rival rivals gangster
    gangsters colleague someone somebody everyone passenger passengers family families priest journalist
    journalists"""
)
_VIOLENT_VERBS = _words(
    """shoots stabs stabbing strangles strangling bludgeons beaten beating beatings executes executed guns
    gunned slaughters massacres butchers butchered maims mauled punched punches tortures lynched"""
)
_LOOSE_VIOLENT_VERBS = _words("shot assaults assaulted attacks attacked kicks kicked beats slaps slapped")
# A partner or parent who harms: domestic abuse told through verbs ("a husband who belittles her").
_FAMILY = _words(
    """husband wife boyfriend girlfriend partner father mother stepfather stepmother dad mum mom parents
    parent spouse fiance fiancé fiancee fiancée"""
)
_ABUSIVE_VERBS = _words(
    """beaten beating beatings slaps slapped punches punched belittles belittled belittling humiliates
    humiliated humiliating terrorises terrorizes terrorised terrorized terrorising terrorizing abuses
    abused abusing strangles strangled gaslights gaslit intimidates intimidated degrades degraded
    bullies"""
)
_LOOSE_ABUSIVE_VERBS = _words(
    "beat beats hit hits hurts hurt threatens threatened threatening controls controlling chokes choked "
    "bullied"
)

_BODY_PARTS = _words(
    """arm arms leg legs hand hands foot feet finger fingers head heads ear ears tongue eye eyes eyeball
    eyeballs toe toes throat stomach belly skull face limb limbs"""
)
_SEVERING_VERBS = _words(
    """saws sawed sawing sawn chops chopped chopping hacks hacked severs severed amputates amputated slices
    sliced rips ripped gouges gouged gouging lops lopped"""
)

PAIRINGS: tuple[Pairing, ...] = (
    Pairing(
        category="gore",
        subjects=_BODY_PARTS,
        modified_subjects=frozenset(),
        harms={**dict.fromkeys(_SEVERING_VERBS, STRONG), **dict.fromkeys(_words("cut cuts cutting"), WEAK)},
        window=4,
    ),
    Pairing(
        category="violence",
        subjects=_PEOPLE,
        modified_subjects=frozenset(),
        harms={**dict.fromkeys(_VIOLENT_VERBS, STRONG), **dict.fromkeys(_LOOSE_VIOLENT_VERBS, WEAK)},
    ),
    Pairing(
        category="abuse",
        subjects=_FAMILY,
        modified_subjects=frozenset(),
        harms={**dict.fromkeys(_ABUSIVE_VERBS, STRONG), **dict.fromkeys(_LOOSE_ABUSIVE_VERBS, WEAK)},
    ),
    Pairing(
        category="child-harm",
        subjects=_words(
            """child children child's children's kid kids kid's baby babies baby's infant infants toddler
            toddlers newborn newborns schoolchildren schoolgirl schoolgirls schoolboy schoolboys minor
            minors orphan orphans"""
        ),
        modified_subjects=_words("boy boys girl girls son sons daughter daughters"),
        harms={
            **dict.fromkeys(_CHILD_HARMS, STRONG),
            **dict.fromkeys(_words("missing disappearance vanishes vanished hurt injured"), WEAK),
        },
    ),
    Pairing(
        category="animal-harm",
        subjects=_words(
            """dog dogs dog's puppy puppies pup pups cat cats cat's kitten kittens horse horses horse's
            pony ponies animal animals animal's pet pets pet's rabbit rabbits bunny cow cows pig pigs
            piglet deer elephant elephants dolphin dolphins whale whales monkey monkeys chimp chimps
            chimpanzee lamb lambs sheep goat goats chicken chickens bull bulls donkey wolf wolves orca
            orcas bear bears seal seals"""
        ),
        modified_subjects=frozenset(),
        harms={
            **dict.fromkeys(_ANIMAL_HARMS, STRONG),
            **dict.fromkeys(_words("hunted hunting hurt injured suffering suffers wounded"), WEAK),
        },
    ),
)

# Words that cancel a following hit in the same clause. "non" covers "non-violent", "free" is checked after.
NEGATORS = _words("no not without never zero nor lacks lack lacking devoid absent free non minus sans nary")
# A negator followed by one of these is emphatic, not negating: "no shortage of gore", "doesn't shy away
# from violence", "never looks away", "pulls no punches", "no one", "not only".
NEGATION_CANCELLERS = _words(
    """shortage shy shies shying stranger only just short less afraid skimp skimps skimping hold holds
    holding held without one matter longer doubt least ending since spare spares spared sparing flinch
    flinches flinching look looks looking turn turns pull pulls punches mistake wonder question expect
    expected end limit lack sugarcoat sugarcoats soften softens hide hides hiding censor censors shield
    shields surprise escape escaping small mere ordinary exception barred holds-barred stop stops
    stopping letup let relief fewer lacking sparingly"""
)
NEGATION_WINDOW = 5
# Clause-level conjunctions: "no gore but plenty of violence" must not negate "violence".
_CLAUSE_WORDS = frozenset({"but", "though", "although", "however", "whereas", "yet", "while", "except"})
_SURNAMES = frozenset({"gore", "slaughter", "savage", "lynch", "hunter", "gunn"})

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Matching runs on a "folded" copy of the text of the same length (so offsets hold): lower-cased, curly
# apostrophes straightened, and hyphens, tabs and no-break spaces turned into spaces, so that words inside a
# phrase are separated by spaces only ("box-office" = "box office"); punctuation and line breaks still end
# a phrase, which therefore never runs across a clause.
_SEP = " +"
_SEP_RUN = re.compile(_SEP)
_START = r"(?<![^\W_])"
# A phrase ends at a word boundary; a possessive "'s" may follow ("No Country for Old Men's violence").
_END = r"(?![^\W_]|'(?!s(?![^\W_]))[^\W_])"
_WORD = r"[^\W_]+(?:'[^\W_]+)*"
_MASK = "\x00"


def _fold(text: str) -> str:
    folded = lower_same_length(text)
    for old, new in (("’", "'"), ("‘", "'"), ("-", " "), ("\t", " "), ("\xa0", " ")):
        if old in folded:
            folded = folded.replace(old, new)
    return folded


def _expand(pattern: str) -> list[str]:
    """Expand ``{a,b}`` alternatives and ``[x]`` optional words into plain phrases."""
    pattern = re.sub(r"\[([^\[\]]*)\]", r"{\1,}", pattern)
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    out: list[str] = []
    for alternative in match.group(1).split(","):
        out.extend(_expand(pattern[: match.start()] + alternative + pattern[match.end() :]))
    return out


def _phrase_key(phrase: str) -> str:
    """The canonical form of a phrase: lower-case words joined by single spaces."""
    return " ".join(m.group() for m in _TOKEN.finditer(_fold(phrase)))


def _trie_regex(phrases: Iterable[str]) -> str:
    # A character trie rendered as nested alternations: at each position the engine dispatches on one
    # character instead of trying thousands of phrases. A longer continuation is tried before the empty
    # alternative that ends a shorter phrase, and the caller puts _END after the whole trie, so backtracking
    # yields leftmost-longest whole-word matches.
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        branches = [
            (_SEP if char == " " else re.escape(char)) + render(child)
            for char, child in sorted(node.items())
            if char
        ]
        if "" in node:
            if not branches:
                return ""
            branches.append("")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return render(trie)


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    effects: tuple[tuple[str, float], ...]  # ("category:pattern", weight)
    neutral: bool = False  # idiom/jargon/title: warns about nothing and hides its words from the rest


def _pairing_subjects(pairing: Pairing) -> set[str]:
    subjects = {_phrase_key(s) for s in pairing.subjects}
    subjects.update(f"{m} {s}" for m in _CHILD_MODIFIERS - {"old"} for s in pairing.modified_subjects)
    subjects.update(f"year old {s}" for s in pairing.modified_subjects)
    return subjects


def _build_roles() -> dict[str, tuple[tuple[int, str], ...]]:
    # Pairing words ride along in the phrase trie: the one scan reports where subjects ("dog") and harms
    # ("dies") occur, and pairing them up is then done on those few positions.
    roles: dict[str, list[tuple[int, str]]] = {}
    for index, pairing in enumerate(PAIRINGS):
        for subject in _pairing_subjects(pairing):
            roles.setdefault(subject, []).append((index, "s"))
        for harm in pairing.harms:
            roles.setdefault(harm, []).append((index, "h"))
    return {key: tuple(value) for key, value in roles.items()}


_ROLES = _build_roles()


def _build_entries() -> dict[str, _Entry]:
    effects: dict[str, dict[str, tuple[str, float]]] = {}
    for category, rules in RULES.items():
        for pattern, weight in rules:
            for phrase in _expand(pattern):
                key = _phrase_key(phrase)
                current = effects.setdefault(key, {}).get(category) if key else None
                if key and (current is None or current[1] < weight):
                    effects[key][category] = (pattern, weight)
    entries = {
        key: _Entry(
            key, tuple((f"{category}:{pattern}", weight) for category, (pattern, weight) in by.items())
        )
        for key, by in effects.items()
    }
    for key in _ROLES:
        entries.setdefault(key, _Entry(key, ()))
    for key in HARM_FORMS | SPOILER_WORDS:  # relations' harm words and spoiler keywords ride along too
        entries.setdefault(key, _Entry(key, ()))
    for pattern in NEUTRAL:
        for phrase in _expand(pattern):
            key = _phrase_key(phrase)
            # A neutral phrase equal to a rule or pairing word would silently disable it: the rule wins.
            if key and key not in entries:
                entries[key] = _Entry(key, (), neutral=True)
    return entries


_ENTRIES = _build_entries()
# Entries with a spoiler keyword among their words (neutral ones too: "killer twist" still discusses a twist).
_SPOILER_KEYS = frozenset(k for k in _ENTRIES if not SPOILER_WORDS.isdisjoint(k.split()))
_PHRASES = re.compile(f"{_START}{_trie_regex(_ENTRIES)}{_END}")


# What may stand between a pairing's two words: spaces and at most ``window - 1`` words, no punctuation.
_GAPS = {p.window: re.compile(rf"(?:{_SEP}{_WORD}){{0,{p.window - 1}}}{_SEP}") for p in PAIRINGS}


def _is_negator(word: str) -> bool:
    return word in NEGATORS or word.endswith("n't")


# Punctuation that ends a clause: a negator on the far side of it negates nothing ("no gore, but ...").
_CLAUSE_CHARS = frozenset('.!?…,;:()[]{}"“”—–|')
_TOKEN_EDGES = "'\"“”‘’()[]{}*_"


def _negated(masked: str, start: int, end: int) -> bool:
    """Is the hit at ``[start:end]`` negated?

    ``masked`` is the folded text with neutral phrases blanked out, so a negator inside a title or idiom ("No
    Country for Old Men") negates nothing. String operations only: this runs once per hit.
    """
    after = masked[end : end + 6]  # "gore-free", "violence free" (hyphens are spaces in the folded text)
    if after.startswith(" free") and (len(after) == 5 or not after[5].isalnum()):
        return True
    window = masked[max(0, start - 80) : start]
    window = window[window.rfind("\n") + 1 :]  # a line break ends the clause too
    words: list[str] = []
    for token in reversed(window.split()[-(NEGATION_WINDOW + 1) :]):
        if token[-1] in _CLAUSE_CHARS or token in _CLAUSE_WORDS:
            break
        word = token.strip(_TOKEN_EDGES)
        if word and word[0] != _MASK:
            words.append(word)
        if token[0] in _CLAUSE_CHARS:
            break
    if not words:
        return False
    words.reverse()
    words = words[-NEGATION_WINDOW:]
    following = masked[start:end].split(" ", 1)[0]
    words.append(following)
    for k in range(len(words) - 2, -1, -1):
        if not _is_negator(words[k]):
            continue
        if words[k + 1] in NEGATION_CANCELLERS:
            continue
        # Double negation ("not without its violence") affirms.
        return not (k > 0 and _is_negator(words[k - 1]))
    return False


def _is_surname(text: str, start: int, end: int) -> bool:
    # "Gore Verbinski", "Al Gore", "Fred Savage": a capitalised surname-like word next to another capitalised
    # word (same clause, only spaces between) is a name.
    if not text[start].isupper():
        return False
    before = re.search(r"([^\W_]+)[ \t]+$", text[max(0, start - 40) : start])
    after = re.match(r"[ \t]+([^\W_]+)", text[end : end + 40])
    return bool((before and before.group(1)[0].isupper()) or (after and after.group(1)[0].isupper()))


@dataclass(slots=True)
class _Tally:
    scores: dict[str, dict[str, float]]
    evidence: dict[str, list[str]]
    # Categories with at least one piece of concrete evidence (see VAGUE): only these may warn.
    solid: set[str] = field(default_factory=set)

    def has(self, effect: str) -> bool:
        return effect in self.scores.get(effect.partition(":")[0], ())

    # Where each shown phrase sits in the text, so overlapping evidence merges into one phrase ("shot dead"
    # and "he is shot" become "he is shot dead").
    spans: dict[str, list[tuple[int, int] | None]] = field(default_factory=dict)
    text: str = ""

    def add(
        self, category: str, key: str, weight: float, surface: str, span: tuple[int, int] | None = None
    ) -> None:
        by_key = self.scores.setdefault(category, {})
        if by_key.get(key, 0.0) < weight:
            by_key[key] = weight
        vague = key in VAGUE
        if weight >= WEAK and not vague:
            self.solid.add(category)
        if vague:
            return  # a tone word counts towards the score but is no evidence to show a moderator
        found = self.evidence.setdefault(category, [])
        where = self.spans.setdefault(category, [])
        if span is not None and self._merged(found, where, span):
            return
        if len(found) >= MAX_EVIDENCE:
            return
        folded = surface.casefold()
        if any(folded in e.casefold() for e in found):
            return
        # Keep the longer phrase when a new one contains an old one ("dog dies" -> "the dog dies").
        kept = [i for i, e in enumerate(found) if e.casefold() not in folded]
        found[:] = [found[i] for i in kept]
        where[:] = [where[i] for i in kept]
        found.append(surface)
        where.append(span)

    def _merged(self, found: list[str], where: list[tuple[int, int] | None], span: tuple[int, int]) -> bool:
        for index, old in enumerate(where):
            if old is None or old[1] <= span[0] or span[1] <= old[0]:
                continue
            start, end = min(old[0], span[0]), max(old[1], span[1])
            if end - start > 80:
                return False
            found[index] = " ".join(self.text[start:end].split())
            where[index] = (start, end)
            return True
        return False


_Occurrence = tuple[int, int, int, str]  # start, end, pairing index, "s" (subject) or "h" (harm)


@dataclass(slots=True)
class _Scan:
    masked: str  # the folded text with neutral phrases masked out (for negation)
    occurrences: list[_Occurrence]  # the pairings' subject and harm words, inside longer phrases too
    harms: list[_Occurrence]  # the relations' harm words
    spoiler_words: list[tuple[int, str]]  # where spoilers.KEYWORD_WORDS occur


# One pass over every hit of the phrase trie; the per-hit bookkeeping (neutral masking, pairing and relation
# words, spoiler keywords) shares the loop so the text is scanned once.
def _scan_phrases(text: str, lowered: str, tally: _Tally, titles: TitleIndex) -> _Scan:
    """Score phrase hits and record where the other scanners' words occur."""
    hits: list[tuple[int, int, _Entry]] = []
    occurrences: list[_Occurrence] = []
    harms: list[_Occurrence] = []
    spoiler_words: list[tuple[int, str]] = []
    pieces: list[str] = []
    position = 0
    for match in _PHRASES.finditer(lowered):
        found = match.group()
        entry = _ENTRIES.get(found) or _ENTRIES.get(_SEP_RUN.sub(" ", found))
        if entry is None:  # pragma: no cover - the regex is built from the entries
            continue
        start, end = match.span()
        # A capitalised hit may sit in a title that a film cue marks ("stars in Kill Screen"): checked per
        # hit, since few hits are capitalised and scanning every capital of the article would cost more.
        if (text[start].isupper() or text[start].isdigit()) and titles.covers(
            start, end, names=not entry.effects or not entry.effects[0][0].startswith("hate:")
        ):
            pieces.append(lowered[position:start])
            pieces.append(MASK_CHAR * (end - start))
            position = end
            continue
        if entry.key in _SPOILER_KEYS:
            spoiler_words.extend(
                (w.start(), w.group())
                for w in _TOKEN.finditer(lowered, start, end)
                if w.group() in SPOILER_WORDS
            )
        if entry.neutral:
            pieces.append(lowered[position:start])
            pieces.append(_MASK * (end - start))
            position = end
            continue
        if entry.effects:
            hits.append((start, end, entry))
        roles = _ROLES.get(entry.key)
        if roles:
            occurrences.extend((start, end, index, kind) for index, kind in roles)
        if entry.key in HARM_FORMS:
            harms.append((start, end, 0, entry.key))
        if " " in entry.key:
            for word in _TOKEN.finditer(lowered, start, end):
                if word.group() != entry.key:
                    for index, kind in _ROLES.get(word.group(), ()):
                        occurrences.append((word.start(), word.end(), index, kind))
                    if word.group() in HARM_FORMS:
                        harms.append((word.start(), word.end(), 0, word.group()))
    pieces.append(lowered[position:])
    masked = "".join(pieces)
    for start, end, entry in hits:
        if all(tally.has(effect) for effect, _ in entry.effects):
            continue  # nothing new to learn from another hit of the same rules
        if " " not in entry.key and entry.key in _SURNAMES and _is_surname(text, start, end):
            continue
        if _negated(masked, start, end):
            continue
        surface = text[start:end]
        for effect, weight in entry.effects:
            tally.add(effect.partition(":")[0], effect, weight, surface, (start, end))
    return _Scan(masked, occurrences, harms, spoiler_words)


def _scan_pairings(text: str, masked: str, occurrences: list[_Occurrence], tally: _Tally) -> None:
    harms = [o for o in occurrences if o[3] == "h"]
    if not harms:
        return
    subjects = sorted(o for o in occurrences if o[3] == "s")
    starts = [o[0] for o in subjects]
    negated: dict[int, bool] = {}

    def is_negated(position: int) -> bool:
        result = negated.get(position)
        if result is None:
            result = negated[position] = _negated(masked, position, position)
        return result

    for harm_start, harm_end, index, _kind in harms:
        pairing = PAIRINGS[index]
        gap_pattern = _GAPS[pairing.window]
        low = bisect_left(starts, harm_start - 120)
        high = bisect_right(starts, harm_end + 120)
        for subject_start, subject_end, subject_index, _ in subjects[low:high]:
            if subject_index != index:
                continue
            first, last = (
                (subject_start, harm_start) if subject_start < harm_start else (harm_start, subject_start)
            )
            gap = (
                masked[subject_end:harm_start]
                if subject_start < harm_start
                else masked[harm_end:subject_start]
            )
            if not gap or not gap_pattern.fullmatch(gap):
                continue
            harm = _SEP_RUN.sub(" ", masked[harm_start:harm_end])
            key = f"{pairing.category}:pair:{harm}"
            if tally.has(key) or is_negated(first) or is_negated(last):
                continue
            if " " not in harm and is_contest(masked, harm_start, harm_end):
                continue  # "the boy is beaten at chess"
            end = max(harm_end, subject_end)
            surface = text[first:end]
            if len(surface) > 60:
                surface = f"{text[subject_start:subject_end]} … {text[harm_start:harm_end]}"
            tally.add(pairing.category, key, pairing.harms.get(harm, WEAK), surface, (first, end))


def _scan_relations(text: str, masked: str, harms: list[_Occurrence], tally: _Tally) -> None:
    # Victim x harm in one clause, either voice ("the boy is kidnapped and beaten", "guts a deer").
    candidates = [(start, end, word) for start, end, _, word in harms]
    for relation in find_relations(masked, candidates, lambda start, end: _negated(masked, start, end)):
        surface = " ".join(text[relation.start : relation.end].split())
        if len(surface) > 80:
            continue
        for category, weight in relation_effects(relation):
            key = f"{category}:rel:{relation.harm}:{relation.victim}"
            tally.add(category, key, weight, surface, (relation.start, relation.end))


@lru_cache(maxsize=256)
def _custom_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    # User-supplied words are literal phrases: escaped, case-insensitive, bounded by non-word characters (not
    # \b, which fails for a term that starts or ends with punctuation), any run of spaces inside matching any.
    alternatives = sorted(
        {r"\s+".join(re.escape(part) for part in term.split()) for term in terms if term.strip()},
        key=len,
        reverse=True,
    )
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _scan_custom(text: str, folded: str, custom_terms: Mapping[str, Iterable[str]], tally: _Tally) -> None:
    # Custom terms warn wherever they appear, negated or not: a server that lists a word wants to hear of it.
    for category, terms in custom_terms.items():
        if category not in CATEGORY_LABELS:
            continue
        terms_tuple = (terms,) if isinstance(terms, str) else tuple(str(t) for t in terms)
        # Cheap test first: a term that occurs nowhere (as a substring of the folded text) cannot match.
        if not any(_fold(" ".join(t.split())) in folded for t in terms_tuple if t.strip()):
            continue
        pattern = _custom_pattern(terms_tuple)
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            tally.add(category, f"{category}:custom:{match.group().casefold()}", STRONG, match.group())


def _run(
    title: str,
    text: str,
    custom_terms: Mapping[str, Sequence[str]] | None,
    work_titles: Sequence[str],
    with_spoilers: bool = False,
) -> tuple[_Tally, tuple[str, ...]]:
    combined = f"{title.strip()}\n\n{text}" if title and title.strip() else text
    tally = _Tally({}, {}, text=combined)
    folded = _fold(combined)
    # Names of works are not evidence ("KILL SCREEN", 'The Killing of a Sacred Deer'): each title becomes
    # one opaque word, so what the text says around it still counts.
    titles = title_index(combined, clean_titles(work_titles))
    titled = mask_spans(folded, titles.spans)
    scan = _scan_phrases(combined, titled, tally, titles)
    _scan_pairings(combined, scan.masked, scan.occurrences, tally)
    _scan_relations(combined, scan.masked, scan.harms, tally)
    if custom_terms:
        _scan_custom(combined, folded, custom_terms, tally)
    spoilers: tuple[str, ...] = ()
    if with_spoilers:
        head = len(title.strip()) if title else 0
        spoilers = spoiler_reasons_at(titled, head, titles, scan.spoiler_words)
    return tally, spoilers


def _warnings(tally: _Tally) -> tuple[ContentWarning, ...]:
    found: dict[str, list[str]] = {}
    for category in CATEGORIES:
        by_key = tally.scores.get(category)
        if (
            by_key
            and category in tally.solid
            and sum(by_key.values()) + 1e-9 >= THRESHOLDS.get(category, THRESHOLD)
        ):
            found[category] = tally.evidence.get(category, [])
    for source, targets in IMPLIES.items():
        for target in targets:
            if source in found:
                found.setdefault(target, []).extend(e for e in found[source] if e not in found[target])
    return tuple(
        ContentWarning(category, CATEGORY_LABELS[category], tuple(found[category][:MAX_EVIDENCE]))
        for category in CATEGORIES
        if category in found
    )


def detect_warnings_and_spoilers(
    title: str,
    text: str,
    custom_terms: Mapping[str, Sequence[str]] | None = None,
    *,
    work_titles: Sequence[str] = (),
) -> tuple[tuple[ContentWarning, ...], tuple[str, ...]]:
    """:func:`detect_warnings` and :func:`domain.digest.spoilers.detect_spoilers` in one pass over the text
    (the phrase scan also finds the spoiler rules' keywords): what the digest runs for English text."""
    tally, spoilers = _run(title, text, custom_terms, work_titles, with_spoilers=True)
    return _warnings(tally), spoilers


def detect_warnings(
    title: str,
    text: str,
    custom_terms: Mapping[str, Sequence[str]] | None = None,
    *,
    work_titles: Sequence[str] = (),
) -> tuple[ContentWarning, ...]:
    """Detect content-warning categories in an article's title and cleaned text. Returns warnings in the
    canonical category order, each with up to :data:`MAX_EVIDENCE` matched phrases as they appear in the
    text. ``custom_terms`` adds literal phrases per category id (unknown ids are ignored); ``work_titles``
    are names of works known to occur (italics in the source, Letterboxd's film, the club's schedule),
    masked like the titles found by typography (see :mod:`domain.digest.worktitles`)."""
    tally, _ = _run(title, text, custom_terms, work_titles)
    return _warnings(tally)
