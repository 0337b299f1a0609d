"""Held-out labelled snippets: written after the rules were tuned on ``cw_dataset.DEVELOPMENT``.

Same labelling policy as ``cw_dataset``. This set is not used for tuning: a rule change that happens to fix
one of these is fine, but a rule written *because* one of these fails would make it a development set (that
already happened once: see ``cw_dataset.FIRST_HELD_OUT``). Misses stay here and show in the report.
"""

from __future__ import annotations

from tests.domain.digest.cw_dataset import Case, case

HELD_OUT: tuple[Case, ...] = (
    case(
        "ho2-sisu",
        "'Sisu' is a Finnish action film in which a gold prospector takes on a Nazi platoon, dispatching "
        "soldiers with a pickaxe in ever more inventive ways.",
        "violence",
    ),
    case(
        "ho2-my-lai",
        "The documentary's archive footage of the 1968 massacre at My Lai is shown without cuts.",
        "violence",
    ),
    case(
        "ho2-hereditary",
        "Ari Aster said the decapitation in 'Hereditary' was the hardest effect in the film to get right.",
        "violence",
        "gore",
    ),
    case(
        "ho2-eating",
        "The film contains scenes of self-harm and references to eating disorders.",
        "self-harm",
    ),
    case("ho2-episode", "Warning: the episode includes depictions of suicide.", "self-harm"),
    case(
        "ho2-biopic",
        "The biopic does not flinch from the singer's years of cocaine and alcohol abuse.",
        "drugs",
    ),
    case(
        "ho2-partner",
        "The legal drama centres on a woman accused of murdering her business partner on a skiing trip.",
        "violence",
    ),
    case(
        "ho2-hunger",
        "In 'Hunger', Michael Fassbender plays an IRA prisoner on hunger strike, and the film depicts "
        "beatings by prison guards.",
        "violence",
    ),
    case(
        "ho2-puppy-mill",
        "The film follows a puppy mill investigation, with hidden-camera footage of dogs kept in "
        "filthy cages "
        "and left to starve.",
        "animal-harm",
    ),
    case(
        "ho2-queer",
        "Luca Guadagnino's 'Queer' contains several explicit sex scenes between Daniel Craig and Drew "
        "Starkey.",
        "sexual-content",
    ),
    case(
        "ho2-bbfc",
        "The BBFC cut a scene of sexual violence from the film before granting it an 18 certificate.",
        "sexual-violence",
    ),
    case(
        "ho2-strobe",
        "Viewers sensitive to flashing lights should be aware that the concert sequence uses heavy strobe.",
        "flashing-lights",
    ),
    case(
        "ho2-detroit",
        "The film's portrayal of a racist police officer in 1960s Detroit sparked a fierce debate.",
        "hate",
    ),
    case(
        "ho2-priest",
        "The Polish drama shows a priest who molested altar boys being protected by his superiors.",
        "sexual-violence",
        "child-harm",
    ),
    case(
        "ho2-shark",
        "A shark tears through a crowded beach in the opening minutes, leaving a trail of severed limbs.",
        "violence",
        "gore",
    ),
    case(
        "ho2-rabbit",
        "In the anime, a girl's pet rabbit is killed by hunters, setting her on a path of revenge.",
        "animal-harm",
        "violence",
    ),
    case(
        "ho2-slasher",
        "The slasher sequel leans into comedy, and the kills are more silly than scary.",
        "violence",
    ),
    case(
        "ho2-opioids",
        "The memoir adaptation recounts the actor's struggle with opioid dependency after a back injury.",
        "drugs",
    ),
    case(
        "ho2-civilians",
        "The war drama includes a harrowing scene of civilians being executed in a village square.",
        "violence",
    ),
    case(
        "ho2-heroin-user",
        "A former heroin user, the director brings painful authenticity to the film's depiction of "
        "addiction.",
        "drugs",
    ),
    case(
        "ho2-trailer",
        "The studio pulled the trailer after complaints that it contained antisemitic imagery.",
        "hate",
    ),
    case(
        "ho2-siege",
        "The second half turns into a bloody siege, with the survivors fending off attackers with kitchen "
        "knives.",
        "violence",
    ),
    case(
        "ho2-coercive",
        "The documentary follows a woman rebuilding her life after years of coercive control by her "
        "ex-husband.",
        "abuse",
    ),
    # negatives
    case("ho2-globes", "The Golden Globes were dominated by 'Emilia Pérez', which swept four awards."),
    case("ho2-knockout", "Her performance is a knockout, and the film's fight for justice is stirring."),
    case(
        "ho2-nosferatu",
        "Eggers' 'Nosferatu' is a lavish gothic horror, with plague rats, dread and a lot of candlelight.",
    ),
    case(
        "ho2-joker",
        "Heath Ledger's Joker was a killer villain, and his interrogation-room scene is still quoted today.",
    ),
    case(
        "ho2-goose",
        "Children will love the talking animals, and there is nothing scarier than a grumpy goose.",
    ),
    case("ho2-box-office-war", "The box-office war between the two blockbusters ended in a draw."),
    case(
        "ho2-one-take",
        "The cinematographer shot the climax in one continuous take on a Budapest backlot.",
    ),
)
