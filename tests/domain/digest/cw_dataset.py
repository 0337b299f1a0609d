"""Labelled film-news snippets for the content-warning detector (the development set).

Written by hand for this project. Labels say which warnings a careful human moderator would attach to the
snippet as written (not to the film in general). Labelling policy, applied throughout:

* torture is a form of violence, so a torture label always comes with ``violence``;
* domestic violence is labelled both ``abuse`` and ``violence``; other abuse is ``abuse`` only;
* gore (graphic blood and bodies) is labelled on its own unless the text also describes violent acts;
* violence against an animal is labelled ``violence`` as well as ``animal-harm``;
* a film title or a figure of speech warns about nothing ("killer soundtrack", "box-office massacre");
* negated content warns about nothing ("no animals were harmed"), emphatic negation does ("doesn't shy away").

The held-out set in ``cw_heldout.py`` follows the same policy but was written after the rules were tuned
on this file, and is never used for tuning. ``FIRST_HELD_OUT`` below was the first held-out set: it was
evaluated blind once (rules: micro precision 0.84, recall 0.67), which showed that the rules had overfitted
this file's vocabulary; it was then folded into development and a new held-out set was written.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    id: str
    text: str
    expected: frozenset[str]


def case(case_id: str, text: str, *categories: str) -> Case:
    return Case(case_id, text, frozenset(categories))


MAIN: tuple[Case, ...] = (
    # ---- violence ------------------------------------------------------------------------------------------
    case(
        "v-civil-war",
        "In 'Civil War', Alex Garland stages a road trip through an America at war with itself. "
        "Journalists "
        "watch as prisoners are executed by soldiers and bodies pile up in mass graves. Kirsten "
        "Dunst plays a "
        "war photographer numbed by the carnage.",
        "violence",
    ),
    case(
        "v-havoc",
        "The Raid director Gareth Evans returns with 'Havoc', a neon-soaked crime thriller starring "
        "Tom Hardy "
        "as a detective fighting through the city's underworld. Expect bone-crunching fights, a nightclub "
        "shootout and a body count in the dozens.",
        "violence",
    ),
    case(
        "v-monkey-man",
        "'Monkey Man' follows Kid, a young man seeking revenge on the corrupt leaders who murdered "
        "his mother. "
        "Dev Patel directs himself in a string of savage brawls and knife fights.",
        "violence",
    ),
    case(
        "v-osage",
        "Scorsese's 'Killers of the Flower Moon' recounts the Osage murders of the 1920s, when "
        "dozens of Osage "
        "people were poisoned and shot for their oil wealth. The film runs nearly three and a half hours.",
        "violence",
    ),
    case(
        "v-no-country",
        "The Coen brothers' 'No Country for Old Men' follows a hitman who kills with a cattle gun as "
        "he crosses "
        "West Texas in pursuit of a bag of money.",
        "violence",
    ),
    case(
        "v-diner",
        "The film wastes no time: in the opening scene a family is gunned down at a roadside diner, "
        "and the "
        "sheriff who finds them has a week to make an arrest.",
        "violence",
    ),
    case(
        "v-hammer",
        "The Korean revenge thriller is built around a corridor fight in which the hero takes on "
        "twenty men "
        "armed only with a hammer.",
        "violence",
    ),
    case(
        "v-kill-bill",
        "'Kill Bill' fans are in for a treat: the long-unseen 'Whole Bloody Affair' cut is finally "
        "getting a "
        "release, complete with the uncut House of Blue Leaves massacre.",
        "violence",
    ),
    case(
        "v-normandy",
        "The war film recreates the Normandy landings, with soldiers cut down by machine-gun fire "
        "before they "
        "reach the beach.",
        "violence",
    ),
    case(
        "v-shower",
        "Sixty years on, the scene in which a woman is stabbed in the shower still tops polls of the most "
        "frightening moments in cinema.",
        "violence",
    ),
    case(
        "v-rwanda",
        "The documentary reconstructs the 1994 genocide in Rwanda through survivor testimony and archive "
        "footage, and is not easy to watch.",
        "violence",
        "hate",
    ),
    case(
        "v-doesnt-shy",
        "Spike Lee's documentary doesn't shy away from the violence of the 1992 Los Angeles riots, "
        "using news "
        "footage that has rarely been seen since.",
        "violence",
    ),
    case(
        "v-serial-killer",
        "Maika Monroe plays an FBI agent hunting a serial killer in 'Longlegs', a chilly procedural that "
        "became the year's most profitable independent horror film.",
        "violence",
    ),
    case(
        "v-school",
        "'Mass' takes place in a church back room, where two couples meet years after a school shooting in "
        "which their children were killed.",
        "violence",
        "child-harm",
    ),
    # ---- gore ----------------------------------------------------------------------------------------------
    case(
        "g-northman",
        "In 'The Northman', Alexander Skarsgård's Viking prince hacks his way through villages, and "
        "the camera "
        "lingers on decapitated warriors and blood-soaked battlefields.",
        "violence",
        "gore",
    ),
    case(
        "g-substance",
        "Coralie Fargeat's 'The Substance' ends in an eruption of body horror, as Demi Moore's alter ego "
        "splits apart in a shower of blood and flesh.",
        "gore",
    ),
    case(
        "g-terrifier",
        "Fans of 'Terrifier 3' know what to expect: Art the Clown dismembers his victims in lovingly "
        "practical "
        "detail, and the gore is relentless.",
        "violence",
        "gore",
    ),
    case(
        "g-evil-dead",
        "'Evil Dead Rise' leaves its Los Angeles apartment block drenched in blood, and a scene "
        "involving a "
        "cheese grater had festival audiences gasping.",
        "gore",
    ),
    case(
        "g-scanners",
        "Practical-effects fans will love the exploding heads and melting faces of David Cronenberg's "
        "'Scanners', newly restored in 4K.",
        "gore",
    ),
    case(
        "g-splatter",
        "Sam Raimi's film is a splatter comedy, with geysers of blood and a possessed hand that has "
        "to be sawn "
        "off at the wrist.",
        "gore",
    ),
    case(
        "g-bones",
        "The cannibal romance 'Bones and All' follows two drifters across Reagan-era America and their "
        "grisly meals along the way.",
        "gore",
    ),
    case(
        "g-no-shortage",
        "There is no shortage of gore in Fede Álvarez's 'Alien: Romulus', which pays tribute to the "
        "chestburster "
        "scene of the 1979 original.",
        "gore",
    ),
    # ---- torture -------------------------------------------------------------------------------------------
    case(
        "t-red-rooms",
        "Pascal Plante's 'Red Rooms' follows a model obsessed with the trial of a man accused of torturing "
        "three teenage girls and live-streaming their deaths on the dark web.",
        "violence",
        "torture",
        "child-harm",
    ),
    case(
        "t-iran",
        "The Iranian thriller depicts the interrogation of a political prisoner, including "
        "waterboarding and "
        "beatings, in unflinching long takes.",
        "violence",
        "torture",
    ),
    case(
        "t-hostel",
        "'Hostel' director Eli Roth is back with a new film about backpackers who are kidnapped and "
        "tortured by "
        "members of a wealthy hunting club.",
        "violence",
        "torture",
    ),
    case(
        "t-oldboy",
        "Park Chan-wook's 'Oldboy' includes a notorious tooth-pulling torture scene and a hallway "
        "fight shot in "
        "a single take.",
        "violence",
        "torture",
    ),
    case(
        "t-zero-dark",
        "In 'Zero Dark Thirty', CIA operatives subject detainees to waterboarding and sleep "
        "deprivation, scenes "
        "that reignited a debate in Washington.",
        "violence",
        "torture",
    ),
    # ---- sexual violence -----------------------------------------------------------------------------------
    case(
        "sv-promising",
        "'Promising Young Woman' follows Cassie, who seeks revenge after her best friend was raped "
        "at a medical "
        "school party.",
        "sexual-violence",
    ),
    case(
        "sv-she-said",
        "'She Said' traces the New York Times investigation into Harvey Weinstein, whose sexual "
        "harassment of "
        "women went unpunished for decades.",
        "sexual-violence",
    ),
    case(
        "sv-revenge",
        "Coralie Fargeat's debut 'Revenge' is a rape-revenge thriller in which a woman left for dead "
        "in the "
        "desert hunts down and kills the three men who attacked her.",
        "sexual-violence",
        "violence",
    ),
    case(
        "sv-casting",
        "In the documentary series, actors describe being groped and coerced by a powerful casting director.",
        "sexual-violence",
    ),
    case(
        "sv-act-two",
        "The film's second act contains a prolonged sexual assault scene that several critics found "
        "exploitative.",
        "sexual-violence",
    ),
    # ---- sexual content ------------------------------------------------------------------------------------
    case(
        "sc-poor-things",
        "'Poor Things' is frank about sex, with Emma Stone's Bella Baxter discovering her body in a "
        "series of "
        "explicit, comic sex scenes.",
        "sexual-content",
    ),
    case(
        "sc-challengers",
        "Luca Guadagnino's 'Challengers' is a sweaty, erotic tennis drama built around a love triangle.",
        "sexual-content",
    ),
    case(
        "sc-bbfc",
        "The BBFC rated the film 18 for strong sex and nudity, citing two lengthy scenes of intercourse.",
        "sexual-content",
    ),
    case(
        "sc-sweeney",
        "Sydney Sweeney has defended the nude scenes in 'Euphoria', saying she never felt pressured on set.",
        "sexual-content",
    ),
    case(
        "sc-babygirl",
        "'Babygirl' stars Nicole Kidman as a CEO who begins a kinky affair with her intern, and the "
        "film was "
        "made with an intimacy coordinator present for every steamy scene.",
        "sexual-content",
    ),
    # ---- child harm ----------------------------------------------------------------------------------------
    case(
        "ch-lovely-bones",
        "In 'The Lovely Bones', a 14-year-old girl is murdered by her neighbour and watches her "
        "family from "
        "the afterlife.",
        "violence",
        "child-harm",
    ),
    case(
        "ch-trafficking",
        "'Sound of Freedom' follows an agent rescuing children from traffickers, and its depiction "
        "of child "
        "trafficking left some viewers shaken.",
        "child-harm",
    ),
    case(
        "ch-the-hunt",
        "The Danish drama 'The Hunt' centres on a kindergarten teacher falsely accused of child "
        "abuse, and the "
        "small town that turns on him.",
        "child-harm",
    ),
    case(
        "ch-baby",
        "Audiences at the festival walked out during a scene in which a baby is killed by soldiers.",
        "violence",
        "child-harm",
    ),
    case(
        "ch-nobody-knows",
        "Hirokazu Kore-eda's 'Nobody Knows' follows four siblings left alone in a Tokyo flat by "
        "their mother, "
        "and one of the children dies from neglect.",
        "child-harm",
    ),
    case(
        "ch-screams",
        "The sound design is the scariest thing in the film: a child's screams echo through the house long "
        "after the lights go out.",
        "child-harm",
    ),
    # ---- self-harm -----------------------------------------------------------------------------------------
    case(
        "sh-13-reasons",
        "Netflix edited '13 Reasons Why' after criticism of its graphic depiction of a teenager's suicide.",
        "self-harm",
    ),
    case(
        "sh-aftersun",
        "Charlotte Wells' 'Aftersun' hints at the father's depression and suicidal thoughts without ever "
        "stating them outright.",
        "self-harm",
    ),
    case(
        "sh-scars",
        "The coming-of-age drama handles its protagonist's self-harm with care, showing the scars "
        "rather than "
        "the act itself.",
        "self-harm",
    ),
    case(
        "sh-widower",
        "In the final act the grieving widower tries to take his own life, a scene the director says he "
        "rewrote a dozen times.",
        "self-harm",
    ),
    case(
        "sh-comedian",
        "The documentary about the late comedian addresses his death by suicide and the mental "
        "health crisis "
        "in stand-up.",
        "self-harm",
    ),
    # ---- abuse ---------------------------------------------------------------------------------------------
    case(
        "a-maid",
        "'Maid' follows Alex, a young mother who escapes an abusive relationship and cleans houses "
        "to survive.",
        "abuse",
    ),
    case(
        "a-gaslighting",
        "Jessica Chastain plays a woman who slowly realises that her husband has been gaslighting her for "
        "years.",
        "abuse",
    ),
    case(
        "a-it-ends",
        "'It Ends With Us' has drawn criticism for how it handles domestic violence, with some saying the "
        "marketing played it down.",
        "abuse",
        "violence",
    ),
    case(
        "a-family",
        "The drama depicts years of emotional abuse inside a strict religious family, told from the "
        "youngest "
        "daughter's point of view.",
        "abuse",
    ),
    case(
        "a-controlling",
        "Mia Goth's character is trapped with a controlling husband, a manipulative man who isolates "
        "her from "
        "her friends.",
        "abuse",
    ),
    # ---- animal harm ---------------------------------------------------------------------------------------
    case(
        "ah-i-am-legend",
        "Be warned: the dog dies in 'I Am Legend', and it is still one of the most upsetting scenes in a "
        "blockbuster.",
        "animal-harm",
    ),
    case(
        "ah-blackfish",
        "The documentary 'Blackfish' examines the treatment of captive killer whales at SeaWorld, "
        "including "
        "the deaths of several orcas.",
        "animal-harm",
    ),
    case(
        "ah-cocaine-bear",
        "'Cocaine Bear' is loosely based on a real black bear that died after eating a duffel bag of "
        "cocaine.",
        "animal-harm",
        "drugs",
    ),
    case(
        "ah-horses",
        "Reports of horses being whipped and injured during filming led to a boycott by animal "
        "welfare groups.",
        "animal-harm",
    ),
    case(
        "ah-dog-beaten",
        "The Korean drama includes a scene in which a dog is beaten to death, which the director "
        "insists was "
        "achieved with animatronics.",
        "animal-harm",
        "violence",
    ),
    case(
        "ah-poaching",
        "The documentary exposes the illegal poaching of elephants for ivory across Central Africa.",
        "animal-harm",
    ),
    # ---- drugs ---------------------------------------------------------------------------------------------
    case(
        "d-trainspotting",
        "Danny Boyle's 'Trainspotting' follows a group of heroin addicts in 1990s Edinburgh.",
        "drugs",
    ),
    case(
        "d-requiem",
        "'Requiem for a Dream' remains one of the most harrowing portraits of drug addiction ever filmed.",
        "drugs",
    ),
    case(
        "d-euphoria",
        "Zendaya's Rue relapses in the new season of 'Euphoria', and the show depicts her withdrawal in "
        "agonising detail.",
        "drugs",
    ),
    case(
        "d-cartel",
        "Pedro Pascal plays a cartel accountant who launders money for the country's biggest drug lord.",
        "drugs",
    ),
    case(
        "d-beautiful-boy",
        "'Beautiful Boy' charts a father's attempts to help his son, who is addicted to crystal meth.",
        "drugs",
    ),
    case(
        "d-stoners",
        "The comedy follows two stoners on a quest across Los Angeles, and there is more weed on "
        "screen than "
        "in any film since 'Pineapple Express'.",
        "drugs",
    ),
    case(
        "d-alcoholism",
        "Colin Farrell plays a washed-up musician battling alcoholism in a small Irish town.",
        "drugs",
    ),
    # ---- flashing lights -----------------------------------------------------------------------------------
    case(
        "f-netflix",
        "Netflix added a warning to the episode after viewers with photosensitive epilepsy "
        "complained about "
        "its strobe effects.",
        "flashing-lights",
    ),
    case(
        "f-incredibles",
        "Cinemas are displaying notices that 'Incredibles 2' contains flashing lights that could "
        "affect some "
        "viewers.",
        "flashing-lights",
    ),
    case(
        "f-enter-the-void",
        "The club sequence in 'Enter the Void' uses rapid flashing imagery for nearly two minutes.",
        "flashing-lights",
    ),
    case(
        "f-notice",
        "A notice before the screening advised that the film contains strobing and flickering lights "
        "throughout.",
        "flashing-lights",
    ),
    case(
        "f-noe",
        "Gaspar Noé's new film opens with a seizure warning, and for good reason: the first ten "
        "minutes are a "
        "strobe-lit assault on the eyes.",
        "flashing-lights",
    ),
    # ---- hate ----------------------------------------------------------------------------------------------
    case(
        "h-klansman",
        "'BlacKkKlansman' follows a Black detective who infiltrates the Ku Klux Klan in 1970s Colorado.",
        "hate",
    ),
    case(
        "h-windrush",
        "The drama depicts the racism faced by Windrush migrants in 1950s London, including racial slurs "
        "shouted in the street.",
        "hate",
    ),
    case(
        "h-history-x",
        "'American History X' stars Edward Norton as a former neo-Nazi trying to leave his past behind.",
        "hate",
    ),
    case(
        "h-homophobic",
        "Critics praised the film's depiction of the homophobic bullying endured by a teenager in "
        "1980s Wales.",
        "hate",
    ),
    case(
        "h-holocaust",
        "Set during the Holocaust, the film follows a Jewish family hiding from Nazi soldiers in occupied "
        "Amsterdam.",
        "hate",
    ),
    case(
        "h-online",
        "The documentary collects antisemitic abuse sent to Jewish actors online over a single year.",
        "hate",
    ),
    # ---- several at once -----------------------------------------------------------------------------------
    case(
        "m-never-here",
        "Lynne Ramsay's 'You Were Never Really Here' stars Joaquin Phoenix as a hammer-wielding hitman who "
        "rescues a senator's daughter from a sex trafficking ring.",
        "violence",
        "sexual-violence",
    ),
    case(
        "m-euphoria-s2",
        "The second season of 'Euphoria' opens with a drug deal, a fist fight and a sex scene before the "
        "credits even roll.",
        "drugs",
        "violence",
        "sexual-content",
    ),
    # ---- tricky negatives: film language -------------------------------------------------------------------
    case(
        "n-child-actor",
        "Child actor Jude Hill is the heart of 'Belfast', and critics have praised his natural, unforced "
        "performance.",
    ),
    case(
        "n-dog-shelter",
        "The documentary follows volunteers at a dog shelter in Lisbon as they find homes for "
        "abandoned pets.",
    ),
    case("n-killer-soundtrack", "Ludwig Göransson's killer soundtrack is the best thing about the film."),
    case(
        "n-35mm",
        "Shot on 35mm by cinematographer Hoyte van Hoytema, 'Nope' looks gorgeous on an IMAX screen.",
    ),
    case(
        "n-directors-cut",
        "The director's cut adds twenty minutes of character scenes and restores the original ending.",
    ),
    case(
        "n-box-office-massacre",
        "'Joker: Folie à Deux' suffered a box-office massacre in its second weekend, dropping 81 percent.",
    ),
    case(
        "n-explosive-chemistry",
        "Zendaya and Josh O'Connor share explosive chemistry in Luca Guadagnino's latest.",
    ),
    case(
        "n-bombed",
        "Despite strong reviews, the film bombed, earning just $4 million on its opening weekend.",
    ),
    case(
        "n-drugstore-cowboy",
        "Gus Van Sant's 'Drugstore Cowboy' is getting a 4K restoration for its 35th anniversary.",
    ),
    case(
        "n-execution",
        "It is a gripping execution of a simple idea, and the cast is uniformly excellent.",
    ),
    case(
        "n-killer-performance",
        "Lily Gladstone's killer performance earned her an Oscar nomination and a Golden Globe.",
    ),
    case(
        "n-explosive-finale",
        "The explosive finale takes place on a speeding train, and it is pure popcorn fun.",
    ),
    case(
        "n-slaughter",
        "Box-office slaughter: the superhero sequel was trounced by a family animation over the holiday "
        "weekend.",
    ),
    case(
        "n-horror-section",
        "The horror section of this year's festival includes a restored print of 'Suspiria'.",
    ),
    case(
        "n-slasher-fans",
        "Slasher fans will be pleased to hear that 'Scream 7' has started production in Atlanta.",
    ),
    case(
        "n-bloody-good",
        "'Wicked' is a bloody good time at the cinema, with two tremendous lead performances.",
    ),
    case(
        "n-tracking-shot",
        "The opening shot of 'Touch of Evil' remains one of the most famous tracking shots in cinema.",
    ),
    case(
        "n-dying-to",
        "Cillian Murphy says he is dying to work with Christopher Nolan again, he told reporters in Venice.",
    ),
    case(
        "n-killed-sequel",
        "After a disastrous test screening, the studio cut forty minutes and killed the planned sequel.",
    ),
    case(
        "n-made-a-killing",
        "Greta Gerwig's 'Barbie' made a killing at the box office, passing $1.4 billion worldwide.",
    ),
    case(
        "n-savaged",
        "Critics savaged the remake, calling it a brutal two and a half hours in the dark.",
    ),
    case(
        "n-al-gore",
        "Al Gore's climate documentary 'An Inconvenient Truth' returns to cinemas for its anniversary.",
    ),
    case(
        "n-shoots-for",
        "The animated film follows a young fox who shoots for the stars and enters a singing contest.",
    ),
    case(
        "n-kill-for",
        "Martin Scorsese says he would kill for the chance to restore more silent films.",
    ),
    case(
        "n-the-flash",
        "'The Flash' was released to mixed reviews, and its visual effects were widely mocked.",
    ),
    case("n-hateful-eight", "'The Hateful Eight' will screen in 70mm at the BFI this winter."),
    case(
        "n-sex-symbol",
        "The former sex symbol spent years trying to be taken seriously as a character actor.",
    ),
    case(
        "n-sex-education",
        "'Sex Education' star Emma Mackey joins the cast of the new Greta Gerwig project.",
    ),
    case(
        "n-horse-sanctuary",
        "A heartwarming documentary about a horse sanctuary in Wales is this week's surprise hit.",
    ),
    case(
        "n-naked-ambition",
        "The naked ambition of the project is admirable, even if the script falls short.",
    ),
    case(
        "n-high-school",
        "The high school comedy is packed with teenage drama, awkward prom nights and a killer final act.",
    ),
    case(
        "n-family-film",
        "The Sundance hit is a tender family film about a girl and her grandfather restoring an old boat.",
    ),
    case(
        "n-stunts",
        "Keanu Reeves says the fourth film took a physical toll, with months of stunt training and a "
        "broken "
        "rib.",
    ),
    case(
        "n-trailer-frames",
        "The trailer for 'The Batman Part II' drops on Friday, and fans are already dissecting every frame.",
    ),
    # ---- negations -----------------------------------------------------------------------------------------
    case(
        "ng-animals",
        "No animals were harmed in the making of this film, the end credits reassure us.",
    ),
    case(
        "ng-no-gore",
        "Despite its horror branding, there is no gore and barely any blood in this old-fashioned "
        "ghost story.",
    ),
    case(
        "ng-without-violence",
        "This is a thriller without any violence, relying on tension and sound design instead.",
    ),
    case(
        "ng-drug-free",
        "The film is refreshingly drug-free for a story set in the Berlin club scene.",
    ),
    case(
        "ng-pixar",
        "Parents can relax: there is no sex, no nudity and no swearing in Pixar's latest.",
    ),
    case(
        "ng-dog-survives",
        "Unlike the novel, the film never shows the dog being hurt, and it survives to the end.",
    ),
    case("ng-no-torture", "Unlike its predecessor, the sequel contains no torture scenes at all."),
    case("ng-non-violent", "The director promised a non-violent take on the superhero genre."),
    case(
        "ng-paddington",
        "'Paddington 3' is free of violence and scares, making it ideal for younger children.",
    ),
    case("ng-no-blood", "Not a single drop of blood is spilled in the whole film."),
)

# The first held-out set, evaluated blind once and then used for development (see the module docstring).
# One label was corrected afterwards to follow the animal policy above ("ho-western" gained violence).
FIRST_HELD_OUT: tuple[Case, ...] = (
    case(
        "ho-assassination",
        "Dev Patel's thriller opens with an assassination at a crowded market, and the bloodletting barely "
        "pauses for two hours.",
        "violence",
    ),
    case(
        "ho-saw",
        "The new 'Saw' entry devises ever more sadistic traps for its victims; one man is tortured "
        "until he "
        "saws through his own leg.",
        "torture",
        "violence",
        "gore",
    ),
    case(
        "ho-close",
        "Lukas Dhont's 'Close' is a devastating study of grief after a 13-year-old boy takes his own life.",
        "self-harm",
    ),
    case(
        "ho-women-talking",
        "In 'Women Talking', the women of an isolated colony discover they have been drugged and assaulted "
        "in their sleep by men of the community.",
        "sexual-violence",
    ),
    case(
        "ho-father",
        "The 1970s-set drama shows a teenage boy being beaten by his father, and the bruises he hides at "
        "school.",
        "child-harm",
        "abuse",
        "violence",
    ),
    case(
        "ho-wolves",
        "A pack of wolves is shot from a helicopter in the documentary's most upsetting sequence.",
        # Relabelled in session 11: shooting animals is violence against them, which the policy above
        # labels ``violence`` as well (like "ah-dog-beaten"); the label had only animal-harm.
        "animal-harm",
        "violence",
    ),
    case(
        "ho-star-is-born",
        "Bradley Cooper's 'A Star Is Born' follows a country singer whose drinking and pill "
        "addiction spiral "
        "out of control.",
        "drugs",
    ),
    case(
        "ho-anime",
        "The anime film carries an epilepsy warning in Japan because of a sequence of flashing red "
        "and blue "
        "frames.",
        "flashing-lights",
    ),
    case(
        "ho-nationalist",
        "The film charts the rise of a white nationalist movement in a small Midwestern town, with "
        "characters "
        "openly using racist language.",
        "hate",
    ),
    case(
        "ho-belittles",
        "Maggie Gyllenhaal's drama follows a woman trapped in a marriage with a husband who belittles and "
        "threatens her.",
        "abuse",
    ),
    case(
        "ho-western",
        "A horse is killed on camera in the 1980 western, which is why it has never been shown uncut on "
        "British television.",
        "animal-harm",
        "violence",
    ),
    case("ho-nc17", "The erotic drama earned an NC-17 rating for its explicit sex scenes.", "sexual-content"),
    case("ho-overdose", "The biopic depicts the singer's heroin overdose in harrowing detail.", "drugs"),
    case(
        "ho-gangster",
        "The gangster epic is famous for its restaurant scene, in which Michael Corleone shoots two men at "
        "point-blank range.",
        "violence",
    ),
    case(
        "ho-climber",
        "The survival thriller features a grisly scene in which a trapped climber amputates his own arm to "
        "escape.",
        "gore",
    ),
    case(
        "ho-get-out",
        "Jordan Peele's 'Get Out' uses horror to explore everyday racism and the commodification of Black "
        "bodies.",
        "hate",
    ),
    case(
        "ho-cannes",
        "Cannes audiences booed a scene in which a young girl is sexually abused, and the director "
        "has since "
        "defended it.",
        "child-harm",
        "sexual-violence",
    ),
    case(
        "ho-calvary",
        "The Irish drama follows a priest who is told during confession that he will be murdered in a week.",
        "violence",
    ),
    case(
        "ho-boogie-nights",
        "Paul Thomas Anderson's 'Boogie Nights' charts the rise and fall of a porn star in the San "
        "Fernando "
        "Valley.",
        "sexual-content",
    ),
    # negatives and negations
    case(
        "ho-killer-turn",
        "Florence Pugh delivers a killer turn as a grieving sister in the new A24 drama.",
    ),
    case(
        "ho-dune",
        "Villeneuve shot much of 'Dune: Part Two' in the Jordanian desert, and the wide shots are "
        "breathtaking.",
    ),
    case(
        "ho-bloodbath",
        "The studio's summer slate was a bloodbath at the box office, with three tentpoles losing money.",
    ),
    case(
        "ho-kids-laughing",
        "The animated sequel is a riot of colour and jokes, and the younger kids in our screening "
        "were howling "
        "with laughter.",
    ),
    case(
        "ho-shot-through",
        "Critics have called the film a love letter to cinema, shot through with nostalgia for video shops.",
    ),
    case(
        "ho-the-bear",
        "The cast of 'The Bear' returns for a fourth season, with Jeremy Allen White back in the kitchen.",
    ),
    case("ho-no-blood", "There are no jump scares and no blood in this quiet folk-horror tale."),
    case(
        "ho-no-combat",
        "Although it is a war film, it shows no combat, focusing instead on the families waiting at home.",
    ),
    case(
        "ho-oppenheimer",
        "'Oppenheimer' recreates the Trinity test, but the film never depicts the bombings of "
        "Hiroshima and "
        "Nagasaki.",
    ),
)

DEVELOPMENT: tuple[Case, ...] = MAIN + FIRST_HELD_OUT
