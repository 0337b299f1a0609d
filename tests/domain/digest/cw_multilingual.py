"""Labelled film-news texts in Spanish, French, German and Portuguese for the lexicon engine.

Written by hand for this project (realistic news items, synopses and review lines, not copied from any
source). Labels follow the policy in ``cw_dataset.py``'s docstring: what a careful moderator would attach to
the text as written; torture comes with violence; violence against an animal is violence and animal harm;
a title or a figure of speech warns about nothing; negated content warns about nothing, emphatic negation
("no escatima en violencia") does. Each language has clean trade items and idioms ("arrasa en taquilla",
"un carton", "Kassenschlager", "estreia matadora") and negations among its cases.
"""

from __future__ import annotations

from tests.domain.digest.cw_dataset import Case, case

SPANISH: tuple[Case, ...] = (
    case(
        "es-asesinado",
        "Un empresario es asesinado en su despacho y su secretaria se convierte en la principal sospechosa.",
        "violence",
    ),
    case(
        "es-asesinada",
        "La periodista fue asesinada tras investigar a una red de corrupción en Ciudad Juárez.",
        "violence",
    ),
    case(
        "es-asesinados",
        "Tres turistas aparecen asesinados en una playa de Almería y la guardia civil no tiene pistas.",
        "violence",
    ),
    case(
        "es-mato", "El protagonista mató a su hermano hace veinte años y ahora regresa al pueblo.", "violence"
    ),
    case("es-tiroteo", "La película abre con un tiroteo en un mercado de Medellín.", "violence"),
    case("es-apunala", "En la escena más tensa, el vecino apuñala al casero en la escalera.", "violence"),
    case(
        "es-tortura",
        "El thriller muestra cómo los militares torturan a los prisioneros en un sótano de Buenos Aires.",
        "violence",
        "torture",
    ),
    case(
        "es-torturado",
        "Un periodista es secuestrado y torturado durante días por un cártel.",
        "violence",
        "torture",
    ),
    case(
        "es-gore",
        "Una película de terror con mucho gore: cuerpos desmembrados y vísceras por todas partes.",
        "gore",
    ),
    case("es-sangre", "La última media hora es un festival de sangre y cadáveres ensangrentados.", "gore"),
    case(
        "es-violacion",
        "La película aborda la violación de una adolescente y el juicio posterior.",
        "sexual-violence",
    ),
    case(
        "es-abuso-sexual",
        "El documental recoge los testimonios de víctimas de abuso sexual en un internado.",
        "sexual-violence",
    ),
    case("es-sexo", "Contiene escenas de sexo explícito y desnudo integral.", "sexual-content"),
    case(
        "es-nino-secuestrado",
        "El niño es secuestrado y golpeado por los traficantes.",
        "violence",
        "child-harm",
    ),
    case(
        "es-secuestran-nina", "Unos desconocidos secuestran a la niña a la salida del colegio.", "child-harm"
    ),
    case("es-pederastia", "La serie investiga un caso de pederastia en la Iglesia.", "child-harm"),
    case(
        "es-suicidio",
        "La película trata el suicidio de un adolescente y el duelo de sus padres.",
        "self-harm",
    ),
    case("es-quitarse-vida", "Tras perderlo todo, intenta quitarse la vida en el puente.", "self-harm"),
    case("es-maltrato", "Un drama sobre una mujer que sufre maltrato por parte de su marido.", "abuse"),
    case(
        "es-violencia-genero",
        "Icíar Bollaín retrata la violencia de género con una crudeza inédita.",
        "abuse",
        "violence",
    ),
    case("es-perro-muere", "Aviso: el perro muere en el segundo acto.", "animal-harm"),
    case(
        "es-destripa-ciervo",
        "El cazador destripa un ciervo delante de la cámara.",
        "gore",
        "violence",
        "animal-harm",
    ),
    case("es-cocaina", "Un retrato de la adicción a la cocaína en el Madrid de los ochenta.", "drugs"),
    case("es-sobredosis", "El cantante muere de sobredosis antes del concierto.", "drugs"),
    case("es-racismo", "La película denuncia el racismo que sufren los jornaleros en Huelva.", "hate"),
    case("es-estroboscopica", "Advertencia: la película contiene luces estroboscópicas.", "flashing-lights"),
    case(
        "es-escatima",
        "La película no escatima en violencia: peleas, disparos y una masacre final.",
        "violence",
    ),
    # clean: trade, idioms, negation, titles
    case(
        "es-clean-arrasa",
        "La película arrasa en taquilla y supera los diez millones en su primer fin de semana.",
    ),
    case("es-clean-risa", "Una comedia para morirse de risa: el público se mata de risa con cada gag."),
    case(
        "es-clean-taquilla-masacre",
        "Masacre en la taquilla: el estreno de Disney cae un 60 % en su segunda semana.",
    ),
    case("es-clean-dispara", "La recaudación se dispara tras los premios Goya."),
    case("es-clean-sin-violencia", "Una película familiar, sin violencia ni escenas de sexo."),
    case("es-clean-ley", "La productora acusa a la plataforma de violar el contrato de distribución."),
    case("es-clean-de-muerte", "Un reparto de muerte y una banda sonora increíble."),
    case(
        "es-clean-rodaje", "El rodaje comenzará en primavera en Galicia con un presupuesto de ocho millones."
    ),
    case("es-clean-festival", "San Sebastián anuncia la programación de su sección oficial."),
    case("es-clean-titulo", "Netflix estrena «La matanza de Texas» en su catálogo este viernes."),
    case("es-clean-tiempo", "Una película perfecta para matar el tiempo en un vuelo largo."),
    case("es-clean-nunca", "Nunca muestra el asesinato: todo ocurre fuera de campo."),
    case("es-clean-destripar", "No vamos a destripar el final, pero merece la pena."),
    case("es-clean-premios", "La cinta se llevó cinco premios, incluido el de mejor dirección."),
    case("es-clean-casting", "Penélope Cruz se une al reparto de la nueva película de Almodóvar."),
)

FRENCH: tuple[Case, ...] = (
    case("fr-tuee", "Elle est tuée dans la première scène, et son mari mène l'enquête.", "violence"),
    case("fr-tues", "Deux policiers sont tués lors d'une embuscade à Marseille.", "violence"),
    case("fr-assassine", "Un juge est assassiné devant le palais de justice.", "violence"),
    case("fr-meurtre", "Un thriller sur le meurtre d'une lycéenne dans un village alsacien.", "violence"),
    case("fr-tueur", "Un tueur en série terrorise une petite ville de province.", "violence"),
    case("fr-fusillade", "Le film s'ouvre sur une fusillade dans une cité de banlieue.", "violence"),
    case(
        "fr-torture",
        "Le film montre la torture pratiquée par l'armée pendant la guerre d'Algérie.",
        "violence",
        "torture",
    ),
    case(
        "fr-tortures",
        "Les prisonniers sont torturés dans une cave pendant des semaines.",
        "violence",
        "torture",
    ),
    case("fr-gore", "Un film d'horreur très gore: corps démembrés et viscères à l'écran.", "gore"),
    case("fr-sang", "Le final est un déluge de sang et de cadavres.", "gore"),
    case("fr-viol", "Le film raconte le viol d'une étudiante et le procès qui suit.", "sexual-violence"),
    case("fr-violee", "Elle a été violée par son patron et personne ne la croit.", "sexual-violence"),
    case(
        "fr-sexe",
        "Attention, le film comporte des scènes de sexe explicites et de la nudité.",
        "sexual-content",
    ),
    case("fr-enfant-battu", "L'enfant est enlevé puis battu par ses ravisseurs.", "violence", "child-harm"),
    case("fr-pedophilie", "Le documentaire enquête sur la pédophilie dans le sport amateur.", "child-harm"),
    case("fr-inceste", "Un drame familial sur l'inceste et le silence.", "child-harm"),
    case("fr-suicide", "Le film aborde le suicide d'un adolescent harcelé.", "self-harm"),
    case("fr-fin-jours", "Après la faillite, il décide de mettre fin à ses jours.", "self-harm"),
    case("fr-conjugales", "Un film puissant sur les violences conjugales.", "abuse", "violence"),
    case("fr-maltraitance", "Une mère est accusée de maltraitance envers sa fille adoptive.", "abuse"),
    case("fr-chien-meurt", "Âmes sensibles s'abstenir : le chien meurt à la fin.", "animal-harm"),
    case("fr-cheval-abattu", "Le fermier abat son cheval d'un coup de fusil.", "violence", "animal-harm"),
    case("fr-heroine", "Le récit d'une descente aux enfers dans l'héroïne à Paris.", "drugs"),
    case("fr-overdose", "Le musicien meurt d'une overdose dans sa loge.", "drugs"),
    case("fr-racisme", "Le film dénonce le racisme ordinaire dans la police.", "hate"),
    case(
        "fr-strobo",
        "Avertissement: le film contient des effets de lumières stroboscopiques.",
        "flashing-lights",
    ),
    case("fr-epargne", "Le film n'épargne rien de la violence de la guerre.", "violence"),
    # clean
    case("fr-clean-carton", "Le film fait un carton au box-office avec deux millions d'entrées."),
    case("fr-clean-cartonne", "La comédie cartonne en salles pour sa deuxième semaine."),
    case("fr-clean-rire", "Une comédie où l'on meurt de rire du début à la fin."),
    case("fr-clean-sans-violence", "Un film d'animation tendre, sans violence, pour toute la famille."),
    case("fr-clean-jamais", "Le film ne montre jamais le meurtre, tout reste hors champ."),
    case("fr-clean-massacre-critique", "Le blockbuster s'est fait massacrer par la critique."),
    case("fr-clean-tournage", "Le tournage débutera en mai en Bretagne."),
    case("fr-clean-cannes", "Cannes dévoile la sélection officielle de sa 79e édition."),
    case("fr-clean-titre", "Arte diffuse « Le Tueur » de David Fincher ce dimanche."),
    case("fr-clean-coup", "Un coup de cœur du public à Annecy."),
    case("fr-clean-contrat", "Le studio est accusé de violer le contrat de distribution."),
    case("fr-clean-casting", "Léa Seydoux rejoint le casting du prochain film de Wes Anderson."),
    case("fr-clean-cesar", "Le film remporte quatre César, dont celui du meilleur film."),
    case("fr-clean-malheur", "La suite fait un malheur en salles."),
)

GERMAN: tuple[Case, ...] = (
    case("de-ermordet", "Ein Mann wird in seiner Wohnung ermordet aufgefunden.", "violence"),
    case("de-ermordete", "Die ermordete Studentin war die Tochter eines Richters.", "violence"),
    case("de-getoetet", "Zwei Polizisten werden bei einem Überfall getötet.", "violence"),
    case("de-mord", "Ein Krimi über einen Mord in einem Dorf im Allgäu.", "violence"),
    case("de-erschiesst", "Der Killer erschießt seine Opfer aus nächster Nähe.", "violence"),
    case("de-massaker", "Der Film rekonstruiert das Massaker in einem Dorf im Kosovo.", "violence"),
    case("de-folter", "Der Film zeigt Folter in einem Gefängnis der Stasi.", "violence", "torture"),
    case("de-gefoltert", "Der Journalist wird tagelang gefoltert.", "violence", "torture"),
    case("de-gore", "Ein Splatter-Film mit Gore satt: zerstückelte Körper und Eingeweide.", "gore"),
    case("de-blut", "Das Finale ist ein Meer aus Blut und Leichen.", "gore"),
    case(
        "de-vergewaltigung",
        "Das Drama erzählt von einer Vergewaltigung und dem Prozess danach.",
        "sexual-violence",
    ),
    case(
        "de-vergewaltigt", "Sie wird von ihrem Chef vergewaltigt und niemand glaubt ihr.", "sexual-violence"
    ),
    case("de-sexszenen", "Der Film enthält explizite Sexszenen und Nacktheit.", "sexual-content"),
    case(
        "de-kind-entfuehrt", "Das Kind wird entführt und von den Tätern geschlagen.", "violence", "child-harm"
    ),
    case(
        "de-kindesmissbrauch", "Die Doku behandelt Kindesmissbrauch in der katholischen Kirche.", "child-harm"
    ),
    case("de-maedchen-getoetet", "Ein kleines Mädchen wird von Soldaten getötet.", "violence", "child-harm"),
    case("de-suizid", "Der Film thematisiert den Suizid eines Jugendlichen.", "self-harm"),
    case("de-selbstmord", "Nach der Pleite begeht er Selbstmord.", "self-harm"),
    case("de-haeusliche", "Ein Film über häusliche Gewalt in einer Vorstadtfamilie.", "abuse", "violence"),
    case("de-misshandelt", "Die Frau wird jahrelang von ihrem Mann misshandelt.", "abuse"),
    case("de-hund-stirbt", "Achtung: Der Hund stirbt am Ende.", "animal-harm"),
    case("de-pferd-erschossen", "Der Bauer erschießt sein Pferd im Stall.", "violence", "animal-harm"),
    case("de-kokain", "Ein Porträt der Kokain-Szene im Berlin der Neunziger.", "drugs"),
    case("de-ueberdosis", "Der Sänger stirbt an einer Überdosis Heroin.", "drugs"),
    case("de-rassismus", "Der Film prangert Rassismus in der Polizei an.", "hate"),
    case("de-stroboskop", "Hinweis: Der Film enthält Stroboskopeffekte.", "flashing-lights"),
    case("de-scheut", "Der Film scheut nicht vor Gewalt zurück.", "violence"),
    # clean
    case(
        "de-clean-kassenschlager",
        "Der Film ist ein echter Kassenschlager und lockt eine Million Zuschauer in die Kinos.",
    ),
    case("de-clean-schlaegt-ein", "Die Komödie schlägt an den Kinokassen ein."),
    case("de-clean-keine-gewalt", "Ein Familienfilm ganz ohne Gewalt."),
    case("de-clean-nie", "Der Mord wird nie gezeigt, alles bleibt im Off."),
    case("de-clean-totlachen", "Eine Komödie zum Totlachen."),
    case("de-clean-dreh", "Die Dreharbeiten beginnen im Mai in München."),
    case("de-clean-berlinale", "Die Berlinale gibt ihr Wettbewerbsprogramm bekannt."),
    case("de-clean-titel", "Arte zeigt „Der Mörder wohnt nebenan“ am Sonntagabend."),
    case("de-clean-gewaltig", "Ein gewaltiger Erfolg für das deutsche Kino."),
    case("de-clean-besetzung", "Sandra Hüller stößt zur Besetzung des neuen Films von Maren Ade."),
    case("de-clean-preis", "Der Film gewinnt den Goldenen Bären."),
    case("de-clean-rekord", "Der Animationsfilm schlägt alle Rekorde."),
    case(
        "de-clean-missbrauch-daten", "Der Streamingdienst wehrt sich gegen Vorwürfe zum Missbrauch von Daten."
    ),
    case("de-clean-schiesst", "Der Film schießt an die Spitze der Kinocharts."),
)

PORTUGUESE: tuple[Case, ...] = (
    case(
        "pt-assassinado", "Um empresário é assassinado em seu escritório no centro de São Paulo.", "violence"
    ),
    case("pt-assassinada", "A jornalista foi assassinada depois de investigar uma milícia.", "violence"),
    case("pt-mortos", "Três turistas são mortos a tiros numa praia do Nordeste.", "violence"),
    case("pt-matou", "O protagonista matou o próprio irmão há vinte anos.", "violence"),
    case("pt-tiroteio", "O filme começa com um tiroteio numa favela do Rio.", "violence"),
    case("pt-esfaqueia", "Na cena mais tensa, o vizinho esfaqueia o síndico na escada.", "violence"),
    case("pt-tortura", "O filme mostra a tortura praticada pela ditadura militar.", "violence", "torture"),
    case("pt-torturado", "Um preso político é torturado durante dias no DOI-Codi.", "violence", "torture"),
    case("pt-gore", "Um terror cheio de gore: corpos desmembrados e vísceras.", "gore"),
    case("pt-sangue", "O final é um banho de vísceras, sangue e cadáveres.", "gore"),
    case("pt-estupro", "O filme aborda o estupro de uma adolescente e o julgamento.", "sexual-violence"),
    case(
        "pt-abuso-sexual",
        "O documentário reúne vítimas de abuso sexual numa escola religiosa.",
        "sexual-violence",
    ),
    case("pt-sexo", "O filme tem cenas de sexo explícito e nudez.", "sexual-content"),
    case(
        "pt-menino-sequestrado",
        "O menino é sequestrado e espancado pelos traficantes.",
        "violence",
        "child-harm",
    ),
    case("pt-pedofilia", "A série investiga um caso de pedofilia numa igreja do interior.", "child-harm"),
    case("pt-crianca-morta", "Uma criança é morta por soldados na primeira cena.", "violence", "child-harm"),
    case("pt-suicidio", "O filme trata do suicídio de um adolescente e do luto dos pais.", "self-harm"),
    case("pt-tirar-vida", "Depois de perder tudo, ele tenta tirar a própria vida.", "self-harm"),
    case("pt-violencia-domestica", "Um drama forte sobre violência doméstica.", "abuse", "violence"),
    case("pt-maus-tratos", "A mulher sofre maus-tratos do marido durante anos.", "abuse"),
    case("pt-cachorro-morre", "Aviso: o cachorro morre no segundo ato.", "animal-harm"),
    case("pt-cavalo-morto", "O fazendeiro mata o cavalo com um tiro.", "violence", "animal-harm"),
    case("pt-cocaina", "Um retrato do vício em cocaína nos anos oitenta.", "drugs"),
    case("pt-overdose", "O cantor morre de overdose antes do show.", "drugs"),
    case("pt-racismo", "O filme denuncia o racismo estrutural no Brasil.", "hate"),
    case("pt-estroboscopica", "Atenção: o filme contém luzes estroboscópicas.", "flashing-lights"),
    case(
        "pt-economiza", "O filme não economiza na violência: brigas, tiros e um massacre final.", "violence"
    ),
    # clean
    case("pt-clean-estreia-matadora", "Estreia matadora: o filme lidera as bilheterias com R$ 20 milhões."),
    case("pt-clean-arrebenta", "A comédia arrebenta nas bilheterias brasileiras."),
    case("pt-clean-rir", "Uma comédia para morrer de rir."),
    case("pt-clean-sem-violencia", "Uma animação delicada, sem violência, para toda a família."),
    case("pt-clean-nunca", "O filme nunca mostra o assassinato, tudo fica fora de cena."),
    case("pt-clean-recorde", "O longa bate recordes de público em Portugal."),
    case("pt-clean-filmagens", "As filmagens começam em maio no Recife."),
    case("pt-clean-festival", "O Festival de Gramado anuncia os filmes da mostra competitiva."),
    case("pt-clean-titulo", "A Netflix estreia “O Massacre da Serra Elétrica” nesta sexta."),
    case("pt-clean-tempo", "Um filme bom para matar o tempo num voo longo."),
    case("pt-clean-contrato", "O estúdio é acusado de violar o contrato de distribuição."),
    case("pt-clean-elenco", "Fernanda Torres entra para o elenco do novo filme de Walter Salles."),
    case("pt-clean-premio", "O filme ganhou o Oscar de melhor filme internacional."),
    case(
        "pt-clean-massacre-bilheteria",
        "Massacre nas bilheterias: a sequência cai 70 % no segundo fim de semana.",
    ),
)

BY_LANGUAGE: dict[str, tuple[Case, ...]] = {"es": SPANISH, "fr": FRENCH, "de": GERMAN, "pt": PORTUGUESE}

#: Written after the lexicons were tuned on the sets above and evaluated once, blind: never tune on these.
HELD_OUT: dict[str, tuple[Case, ...]] = {
    "es": (
        case(
            "es-h-degollado",
            "El guardia aparece degollado en la celda y el alcaide ordena silencio.",
            "violence",
        ),
        case("es-h-paliza", "Los hinchas le dan una paliza brutal al árbitro tras el partido.", "violence"),
        case("es-h-bebe", "Una madre abandona a su bebé en la puerta de un convento.", "child-harm"),
        case(
            "es-h-gato",
            "El villano tortura al gato de la vecina para asustarla.",
            "violence",
            "torture",
            "animal-harm",
        ),
        case("es-h-heroina", "Dos hermanos caen en la heroína en el Bilbao de los ochenta.", "drugs"),
        case(
            "es-h-violador",
            "La policía busca a un violador que actúa en los parques de la ciudad.",
            "sexual-violence",
        ),
        case("es-h-homofobia", "Un retrato de la homofobia en un pueblo de Castilla.", "hate"),
        case(
            "es-h-clean-exito",
            "El thriller arrasa en su estreno y ya es la película española más vista del año.",
        ),
        case("es-h-clean-sin-sangre", "Un terror psicológico sin una gota de sangre."),
        case("es-h-clean-golpe", "Un golpe de efecto final que deja al público sin aliento."),
        case("es-h-clean-trailer", "Ya puedes ver el tráiler de la nueva película de Rodrigo Sorogoyen."),
        case(
            "es-h-clean-taquilla",
            "Baño de sangre en la taquilla: tres estrenos fracasan el mismo fin de semana.",
        ),
    ),
    "fr": (
        case(
            "fr-h-egorge",
            "Un gardien est égorgé dans sa cellule et le directeur étouffe l'affaire.",
            "violence",
        ),
        case("fr-h-tabasse", "Des supporters tabassent l'arbitre après le match.", "violence"),
        case("fr-h-bebe", "Une mère abandonne son bébé devant une église.", "child-harm"),
        case(
            "fr-h-chat",
            "Le méchant torture le chat de la voisine pour l'effrayer.",
            "violence",
            "torture",
            "animal-harm",
        ),
        case("fr-h-cocaine", "Deux frères plongent dans la cocaïne à Marseille.", "drugs"),
        case(
            "fr-h-agression",
            "L'actrice raconte l'agression sexuelle qu'elle a subie sur un tournage.",
            "sexual-violence",
        ),
        case("fr-h-homophobie", "Un film sur l'homophobie dans un club de football amateur.", "hate"),
        case(
            "fr-h-clean-succes",
            "Le thriller cartonne pour sa sortie et devient le film français le plus vu de l'année.",
        ),
        case("fr-h-clean-sans-sang", "Un film d'horreur psychologique sans une goutte de sang."),
        case("fr-h-clean-theatre", "Un coup de théâtre final qui laisse le public sans voix."),
        case("fr-h-clean-bande-annonce", "Découvrez la bande-annonce du nouveau film de Justine Triet."),
        case(
            "fr-h-clean-boxoffice", "Massacre au box-office: trois nouveautés s'effondrent le même week-end."
        ),
    ),
    "de": (
        case(
            "de-h-erwuergt",
            "Ein Wärter wird in seiner Zelle erwürgt, und der Direktor vertuscht den Fall.",
            "violence",
        ),
        case("de-h-verpruegelt", "Hooligans verprügeln den Schiedsrichter nach dem Spiel.", "violence"),
        case(
            "de-h-baby", "Eine Mutter lässt ihr Baby vor einer Kirche zurück und verlässt es.", "child-harm"
        ),
        case(
            "de-h-katze",
            "Der Schurke quält die Katze der Nachbarin, um ihr Angst zu machen.",
            "violence",
            "torture",
            "animal-harm",
        ),
        case("de-h-heroin", "Zwei Brüder rutschen in Hamburg in die Heroin-Szene ab.", "drugs"),
        case(
            "de-h-uebergriff",
            "Die Schauspielerin spricht über einen sexuellen Übergriff am Set.",
            "sexual-violence",
        ),
        case("de-h-homophobie", "Ein Film über Homophobie in einem Amateurfußballverein.", "hate"),
        case(
            "de-h-clean-erfolg",
            "Der Thriller wird zum Kassenknüller und ist der meistgesehene deutsche Film des Jahres.",
        ),
        case("de-h-clean-ohne-blut", "Ein psychologischer Horrorfilm ganz ohne Blut."),
        case("de-h-clean-wendung", "Ein Überraschungscoup, der das Publikum sprachlos macht."),
        case("de-h-clean-trailer", "Hier ist der Trailer zum neuen Film von Christian Petzold."),
        case("de-h-clean-kasse", "Massaker an den Kinokassen: drei Neustarts floppen am selben Wochenende."),
    ),
    "pt": (
        case("pt-h-degolado", "Um guarda é degolado na cela e o diretor abafa o caso.", "violence"),
        case("pt-h-espancam", "Torcedores espancam o árbitro depois do jogo.", "violence"),
        case("pt-h-bebe", "Uma mãe abandona o bebê na porta de uma igreja.", "child-harm"),
        case(
            "pt-h-gato",
            "O vilão tortura o gato da vizinha para assustá-la.",
            "violence",
            "torture",
            "animal-harm",
        ),
        case("pt-h-crack", "Dois irmãos se afundam no crack em São Paulo.", "drugs"),
        case(
            "pt-h-estuprador",
            "A polícia procura um estuprador que ataca nos parques da cidade.",
            "sexual-violence",
        ),
        case("pt-h-homofobia", "Um retrato da homofobia numa cidade do interior.", "hate"),
        case(
            "pt-h-clean-sucesso", "O suspense arrebenta na estreia e já é o filme nacional mais visto do ano."
        ),
        case("pt-h-clean-sem-sangue", "Um terror psicológico sem uma gota de sangue."),
        case("pt-h-clean-virada", "Uma virada final que deixa o público sem palavras."),
        case("pt-h-clean-trailer", "Veja o trailer do novo filme de Kleber Mendonça Filho."),
        case(
            "pt-h-clean-bilheteria",
            "Banho de sangue nas bilheterias: três estreias fracassam no mesmo fim de semana.",
        ),
    ),
}
