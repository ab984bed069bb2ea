"""The lexicon a scene heading is read with: the words (and two-word names) of each set kind.

Hand-written and shipped in the package: a place word a screenplay uses is looked up here
without any download at run time (WordNet's relations would need `nltk.download` and bring
senses no heading means: a "bar" of gold, a "court" of a king). Each kind lists its *strong*
words, which name the set outright, and the table `WEAK` lists words that name a kind only when
nothing stronger does (a "road" through a "forest" is the forest). `FAMILIES` are the word
relations used when no kind matches: whether the place is built, natural, water or a vehicle.
Words are singular and lower case; `places.normal` brings a heading's words to that form.
"""

from __future__ import annotations

# kind → words naming it, read inside (INT.) ...
INTERIOR: dict[str, str] = {
    "room": "room|living room|sitting room|family room|front room|den|parlour|parlor|apartment|"
    "flat|loft|condo|suite|penthouse|home|house|townhouse|duplex|dining room|drawing room|"
    "attic|nursery room|playroom|rec room|studio apartment|bedsit|villa|cottage|residence",
    "kitchen": "kitchen|kitchenette|pantry|scullery|galley kitchen|canteen kitchen",
    "bar": "bar|club|nightclub|diner|restaurant|cafe|café|pub|tavern|lounge|casino|saloon|bistro|"
    "speakeasy|cantina|brasserie|coffee shop|coffeehouse|teahouse|karaoke|juke joint|"
    "cocktail lounge|taproom|brewpub|wine bar|dive bar|strip club|cabaret|pizzeria|"
    "steakhouse|noodle shop|food court|cafeteria|dance hall|pool hall|bowling alley|"
    "booth|mess hall|canteen|refectory|tea room|ice cream parlor|soda fountain",
    "stacks": "archive|library|stacks|storage|storeroom|store room|basement|vault|shelves|"
    "record room|records room|evidence room|file room|stockroom|cellar|wine cellar|"
    "supply closet|closet|mailroom|bookstack",
    "office": "office|study|lab|laboratory|bank|precinct|newsroom|bullpen|cubicle|reception|"
    "boardroom|board room|conference room|meeting room|control room|war room|"
    "situation room|command center|command centre|headquarters|hq|police station|"
    "station house|squad room|detective bureau|call center|trading floor|agency|"
    "editorial|consulate|embassy|ministry|city hall|town hall|campaign office|"
    "server room|mission control|radio station|recording studio|sound booth|"
    "vocal booth|control booth|studio booth|newsstand office",
    "corridor": "corridor|hallway|hall|subway|tunnel|stair|stairs|stairwell|staircase|elevator|"
    "lift|lobby|passage|passageway|foyer|landing|concourse|terminal|atrium|vestibule|"
    "entrance hall|service corridor|underpass|sewer|bunker|airlock|walkway|escalator",
    "car": "car|taxi|cab|truck|van|sedan|pickup|limo|limousine|jeep|suv|police car|squad car|"
    "cruiser|ambulance|convertible|hatchback|coupe|minivan|station wagon|getaway car|"
    "patrol car|hearse|tow truck|rv|motorhome|camper van|tractor|humvee|tank|back seat|"
    "backseat|front seat|passenger seat|driver's seat|car interior|cab of the truck",
    "bedroom": "bedroom|master bedroom|guest room|guest bedroom|spare room|bedchamber|"
    "dorm room|dormitory|dorm|hotel room|motel room|hotel suite|honeymoon suite|"
    "boudoir|bunk room|bunkroom|nursery|kid's room|teenager's room|sleeping quarters|"
    "quarters|barracks|hostel|bed and breakfast|inn room|sickroom",
    "bathroom": "bathroom|restroom|toilet|lavatory|washroom|bath|shower|powder room|ensuite|"
    "en suite|men's room|ladies' room|ladies room|mens room|loo|wc|bathhouse|sauna|"
    "steam room|shower room|latrine",
    "church": "church|chapel|cathedral|sanctuary|nave|temple|synagogue|mosque|monastery|"
    "convent|abbey|altar|basilica|parish|funeral home|funeral parlor|vestry|"
    "confessional|shrine|meeting house|mission church|crematorium",
    "classroom": "classroom|schoolroom|school|lecture hall|lecture theatre|lecture theater|"
    "seminar room|study hall|kindergarten|college|university|academy|"
    "homeroom|detention room|art room|music room|science room|exam hall|"
    "schoolhouse|tutoring center",
    "lockers": "locker room|changing room|locker|school hallway|school corridor|gym|gymnasium|"
    "fitness center|health club|dressing room|green room|weight room|boxing gym|"
    "dojo|ymca|pool changing room",
    "theater": "theatre|theater|stage|auditorium|cinema|movie theater|movie theatre|"
    "concert hall|opera house|opera|music hall|backstage|playhouse|amphitheatre|"
    "amphitheater|screening room|comedy club|recital hall|rehearsal room|"
    "soundstage|sound stage|tv studio|television studio|talk show set|arena stage",
    "aircraft": "plane|airplane|aeroplane|aircraft|jet|airliner|cockpit|helicopter|chopper|"
    "private jet|jumbo jet|fuselage|first class|business class|economy class|"
    "seaplane|cargo plane|bomber|fighter jet|blimp|airship|spaceship|space shuttle|"
    "flight deck|plane cabin|aircraft cabin|jet cabin|airline cabin",
    "train": "train|carriage|train car|subway car|railcar|rail car|compartment|sleeper car|"
    "dining car|tram|streetcar|metro|bus|coach|school bus|tour bus|trolley|"
    "monorail|cable car|boxcar|caboose|passenger car|sleeper|express|minibus|shuttle bus",
    "hospital": "hospital|ward|hospital room|icu|intensive care|emergency room|er|clinic|"
    "infirmary|operating room|operating theatre|surgery|sickbay|sick bay|"
    "recovery room|morgue|doctor's office|exam room|examination room|nursing home|"
    "hospice|asylum|psychiatric ward|maternity ward|medical center|medical bay|"
    "trauma bay|triage|dentist|dentist's office|veterinary clinic|vet",
    "cell": "cell|prison|jail|jail cell|holding cell|penitentiary|dungeon|brig|lockup|detention|"
    "cellblock|cell block|prison cell|solitary|death row|gaol|stockade|holding pen|cage",
    "courtroom": "courtroom|court|courthouse|tribunal|hearing room|senate|parliament|"
    "council chamber|chamber|jury room|house chamber|deposition room|hall of justice",
    "store": "store|shop|supermarket|grocery|grocery store|pharmacy|drugstore|boutique|bookstore|"
    "bookshop|convenience store|bodega|market|minimart|mini mart|mall|pawnshop|"
    "pawn shop|hardware store|liquor store|bakery|butcher|butcher shop|deli|"
    "video store|record store|gift shop|toy store|department store|corner store|"
    "thrift store|pet store|flower shop|florist|gun store|newsagent|general store|"
    "trading post|jewelry store|jeweller|electronics store|shoe store|tailor|"
    "barbershop|barber shop|salon|beauty salon|laundromat|dry cleaner|chemist",
    "factory": "factory|warehouse|plant|mill|foundry|workshop|assembly line|shop floor|sawmill|"
    "refinery|engine room|boiler room|power plant|power station|processing plant|"
    "depot|hangar|loading dock|distribution center|printing press|print shop|"
    "steelworks|cannery|brewery|distillery|slaughterhouse|abattoir|meatpacking plant|"
    "machine shop|forge|smithy|kiln|pump room|generator room|reactor|silo|mine office",
    "garage": "garage|auto shop|body shop|carport|mechanic|mechanic's shop|repair shop|"
    "chop shop|parking garage|car wash|workbench",
    "hall": "mansion|palace|ballroom|great hall|manor|grand hall|banquet hall|throne room|castle|"
    "chateau|château|estate|stately home|manor house|palazzo|country house|"
    "reception hall|gala|hotel ballroom|embassy ballroom|grand staircase|villa hall",
    "shack": "shack|cabin|hut|log cabin|shed|trailer|mobile home|caravan|barn|stable|stables|"
    "lodge|bunkhouse|outhouse|hovel|shanty|treehouse|tree house|cabin in the woods|tool shed|"
    "hunting lodge|boathouse|farmhouse|cottage kitchen|tent|yurt|teepee|igloo|"
    "chicken coop|hayloft|woodshed|trailer home",
    "gallery": "gallery|art gallery|museum|exhibition|exhibit|showroom|auction house|studio|"
    "artist's studio|atelier|photo studio|darkroom|planetarium|aquarium|"
    "natural history museum|waxworks",
    "interrogation": "interrogation room|interview room|interrogation|observation room|"
    "questioning room|box|one-way mirror|polygraph room",
    "cave": "cave|cavern|grotto|mine|mine shaft|mineshaft|catacombs|catacomb|crypt|tomb|"
    "burrow|lair|den of thieves|underground|ice cave|lava tube|pit|well",
    "ship": "ship|boat|ferry|yacht|sailboat|trawler|tugboat|liner|freighter|barge|submarine|"
    "sub|stateroom|ship's cabin|ship cabin|ferry cabin|boat cabin|yacht cabin|porthole|"
    "bridge of the ship|wheelhouse|hold|cargo hold|lifeboat|houseboat|cruise ship|"
    "ocean liner|battleship|warship|steamer|riverboat|gondola",
}

# ... and outside (EXT.)
EXTERIOR: dict[str, str] = {
    "city": "street|city|avenue|alley|alleyway|downtown|boulevard|plaza|square|sidewalk|"
    "crosswalk|intersection|town|neighborhood|neighbourhood|block|bridge|market|"
    "marketplace|main street|strip|corner|storefront|shopfront|shop|store|diner|bar|"
    "club|nightclub|hotel|restaurant|cinema|theater|theatre|apartment|apartment building|"
    "building|office building|tower|skyscraper|hospital|police station|embassy|"
    "courthouse|city hall|town hall|bank|museum|library|school|high school|university|"
    "campus|mall|parking lot|car park|parking garage|bus stop|taxi rank|subway entrance|"
    "newsstand|chinatown|quarter|district|slum|ghetto|projects|tenement|high street|"
    "back alley|overpass|underpass|construction site|factory|warehouse|"
    "hotel entrance|casino|arcade|station|bus station|piazza|promenade|embankment|"
    "canal|financial district|skid row|precinct|office|headquarters|laundromat|pharmacy|"
    "ambulance bay|loading bay|bus bay|taxi stand|shopping street|arcade entrance",
    "rooftop": "rooftop|roof|balcony|terrace|fire escape|penthouse terrace|helipad|roof garden|"
    "water tower|parapet|ledge|observation deck|clock tower",
    "sea": "sea|beach|ocean|shore|harbour|harbor|pier|dock|docks|lake|river|coast|bay|port|"
    "cliff|cliffs|waterfront|marina|lakeside|riverbank|river bank|seafront|boardwalk|"
    "jetty|wharf|quay|lagoon|waterfall|island|lighthouse|shoreline|seashore|cove|inlet|"
    "estuary|fjord|reef|surf|sand|sandbar|seawall|breakwater|reservoir|pond|creek|"
    "stream|brook|rapids|dam|spring|hot spring|tide pool|rock pool|lakefront|"
    "riverside|canal bank|waterside|ocean floor|underwater",
    "forest": "forest|woods|wood|trees|jungle|grove|clearing|orchard|thicket|rainforest|"
    "woodland|pines|pine forest|treeline|park|national park|redwoods|bamboo|"
    "undergrowth|copse|glade|bush|forest path|hiking trail|wilderness|arboretum|"
    "botanical garden|hedge maze|maze|nature reserve",
    "desert": "desert|dune|canyon|mesa|wasteland|salt flat|badlands|outback|scrubland|"
    "dust bowl|oasis|sand dunes|arroyo|gulch|quarry|wash|mars|moon|crater|"
    "lunar surface|alien planet|planet surface|scrapyard wasteland",
    "mountain": "mountain|peak|ridge|summit|glacier|valley|pass|slope|ski slope|mountainside|"
    "crag|alps|foothills|mountain road|ice field|snowfield|tundra|arctic|antarctica|"
    "ice shelf|avalanche|ski lift|ski resort|chalet|base camp|rockface|rock face|"
    "gorge|ravine|volcano|highlands|fell|scree",
    "field": "field|farm|meadow|road|highway|countryside|hill|hills|prairie|pasture|ranch|"
    "vineyard|farmland|plain|plains|wheat field|cornfield|crop|moor|moors|heath|steppe|"
    "savanna|savannah|country road|dirt road|freeway|interstate|motorway|roadside|"
    "battlefield|trench|trenches|no man's land|paddock|orchard road|lane|country lane|"
    "airfield|runway|tarmac|airstrip|open road|crossroads|hillside|hilltop|grassland|"
    "fairground|festival|fairway|golf course|farmyard|barnyard|rice paddy|tea plantation|"
    "plantation|cotton field|hayfield|windmill|scarecrow|picnic|picnic area|"
    "road side|roadblock|rest stop|overlook|scenic overlook|vista",
    "house": "house|home|porch|front porch|veranda|verandah|driveway|front door|doorstep|stoop|"
    "farmhouse|cottage|bungalow|villa|mansion|estate|manor|trailer|mobile home|"
    "townhouse|duplex|front lawn|lawn|cabin|log cabin|shack|hut|ranch house|homestead|"
    "suburb|suburbs|suburban street|cul-de-sac|chalet house|brownstone|row house|"
    "rectory|vicarage|parsonage|lodge|inn|guesthouse|guest house|bed and breakfast|"
    "safe house|boarding house|beach house|lake house|summer house|farmstead|"
    "trailer home|manor house|country house|palace|front step|front steps|trailer park|"
    "residence|mobile home park|caravan park|housing estate|subdivision",
    "yard": "yard|backyard|back yard|garden|patio|barbecue|courtyard|playground|allotment|"
    "junkyard|scrapyard|salvage yard|lumber yard|prison yard|schoolyard|school yard|"
    "front yard|side yard|vegetable garden|greenhouse|back garden|kitchen garden|"
    "rose garden|garden party|clothesline|deck chair|sandbox|treehouse|tree house|"
    "barbecue pit|pergola|gazebo|shed|toolshed|henhouse|chicken coop|kennel|dog run|"
    "swing set|trampoline|compound|backlot",
    "gate": "gate|gates|fence|entrance|checkpoint|gatehouse|border crossing|border|"
    "guard post|guard booth|wall|perimeter|perimeter fence|barricade|front gate|"
    "iron gates|main gate|guardhouse|security gate|toll booth|tollbooth|"
    "entrance gate|prison gate|prison|jail|penitentiary|military base|base|"
    "compound gate|embassy gate|estate gates|mansion gates|fort gate|picket fence",
    "pool": "pool|swimming pool|pool deck|poolside|hot tub|jacuzzi|lido|pool house|"
    "infinity pool|public pool|diving board|country club pool|spa|water park",
    "stadium": "stadium|football field|soccer field|baseball field|pitch|ballpark|ball park|"
    "arena|court|basketball court|tennis court|track|racetrack|race track|"
    "bleachers|stands|diamond|gridiron|sports field|playing field|athletic field|"
    "field house|end zone|touchline|dugout|speedway|velodrome|rodeo|bullring|"
    "skate park|running track|cricket ground|cricket pitch|rugby pitch|golf green|"
    "parade ground|drill field|showground|racecourse",
    "swamp": "swamp|marsh|bayou|bog|fen|wetland|wetlands|everglades|mangrove|mangroves|reeds|"
    "marshland|swampland|mire|quagmire|slough|backwater|peat bog|delta|floodplain|"
    "rice field|creek bed|lowland",
    "deck": "deck|ship|boat|ferry|yacht|sailboat|trawler|tugboat|liner|freighter|barge|raft|"
    "bow|stern|foredeck|aft deck|gangway|lifeboat|canoe|kayak|rowboat|dinghy|"
    "fishing boat|speedboat|motorboat|cruise ship|ocean liner|warship|battleship|"
    "aircraft carrier|submarine|pirate ship|galleon|schooner|catamaran|houseboat|"
    "steamboat|riverboat|ship's deck|main deck|upper deck|crow's nest|mast|"
    "port side|starboard|tanker|oil rig|platform at sea",
    "castle": "castle|fortress|fort|battlement|battlements|ramparts|rampart|citadel|keep|"
    "drawbridge|moat|ruins|ruin|tower wall|castle wall|city wall|city walls|"
    "stronghold|bastion|parapet wall|watchtower|turret|outpost|abbey ruins|"
    "temple ruins|ancient ruins|colosseum|acropolis|pyramid|ziggurat|great wall",
    "campfire": "campfire|camp|campsite|campground|bonfire|encampment|tent|tents|camp fire|"
    "fire pit|firepit|bivouac|refugee camp|army camp|base camp fire|hobo camp|"
    "caravan camp|gypsy camp|nomad camp|cookout|hearth",
    "graveyard": "cemetery|graveyard|churchyard|grave|gravesite|grave site|tomb|burial ground|"
    "mausoleum|church|chapel|cathedral|funeral|memorial|war memorial|crypt|"
    "necropolis|potter's field|headstone|abbey|monastery|temple|mosque|synagogue",
    "roadside": "gas station|petrol station|service station|filling station|truck stop|"
    "gas pump|pumps|motel|roadside motel|roadhouse|drive-in|drive in|drive-thru|"
    "diner parking lot|rest area|car lot|used car lot|strip mall|mini mall|"
    "liquor store|convenience store|fast food|fast food joint|burger joint|"
    "garage|auto shop|body shop|car wash|chop shop|junction",
    "platform": "platform|train station|railway station|railroad station|station platform|"
    "tracks|railway|railroad|rail yard|railyard|train yard|subway platform|"
    "metro station|underground station|railway line|railroad crossing|"
    "level crossing|train|freight train|train tracks|railway bridge|depot|"
    "bus depot|tram stop|siding",
    "cave": "cave|cavern|grotto|mine|mine shaft|mineshaft|mine entrance|cave mouth|"
    "cave entrance|catacombs|tunnel|tunnel mouth|sinkhole|rock shelter|cliff dwelling",
}

# Words that name a kind only when nothing stronger does: "PINE FOREST ROAD" is a forest.
WEAK = frozenset(
    [
        "road",
        "lane",
        "path",
        "track",
        "trail",
        "highway",
        "area",
        "outside",
        "front",
        "back",
        "side",
        "entrance",
        "house",
        "home",
        "room",
        "hall",
        "building",
        "place",
        "station",
        "corner",
        "block",
        "town",
        "quarter",
        "district",
        "court",
        "yard",
        "deck",
        "bridge",
        "wall",
        "tower",
        "base",
        "compound",
        "stage",
        "market",
        "camp",
        "car",
        "box",
        "pit",
        "well",
        "hold",
        "spring",
        "wash",
        "pass",
        "platform",
        "tracks",
        "train",
        "express",
        "sleeper",
        "chamber",
        "sub",
        "bath",
        "bow",
        "bush",
        "plant",
        "hill",
        "hills",
        "stands",
        "lift",
        "quarters",
        "gala",
        "border",
        "festival",
        "picnic",
        "bunk",
        "crop",
        "spa",
        "sand",
        "surf",
        "wood",
        "trees",
        "terminal",
        "cabin",
        "lodge",
        "studio",
    ]
)
# ... and, outside, the names of buildings: seen from the street they say little of the set
WEAK_OUTSIDE = frozenset(
    [
        "office",
        "school",
        "university",
        "college",
        "church",
        "palace",
        "mansion",
        "estate",
        "villa",
        "garage",
        "shop",
        "store",
        "diner",
        "bar",
        "club",
        "hotel",
        "restaurant",
        "theater",
        "theatre",
        "apartment",
        "prison",
        "jail",
        "penitentiary",
        "hospital",
        "library",
        "museum",
        "bank",
        "casino",
        "cinema",
        "station",
        "headquarters",
        "building",
    ]
)

# When no kind matches, what the words suggest the place is (the generic set follows from it).
FAMILIES: dict[str, str] = {
    "built": "building|center|centre|complex|facility|institute|tower|plaza|hq|headquarters|"
    "offices|bureau|department|agency|company|corporation|corp|inc|ltd|industries|"
    "laboratories|labs|hotel|motel|inn|tavern|apartments|flats|residence|manor|hall|"
    "house|home|estate|villa|palace|castle|station|terminal|port|airport|depot|works|"
    "mill|plant|factory|shop|store|emporium|mart|market|club|lounge|bar|cafe|diner|"
    "grill|kitchen|bakery|parlor|parlour|salon|studio|gallery|museum|theatre|theater|"
    "cinema|arena|stadium|church|chapel|temple|school|academy|college|university|"
    "hospital|clinic|prison|jail|court|embassy|consulate|ministry|council|senate|"
    "parliament|capitol|library|archive|bank|exchange|casino|resort|spa|camp|base|"
    "barracks|bunker|vault|lab|laboratory|room|chamber|suite|quarters|office|wing|"
    "floor|level|basement|attic|cellar|annex|annexe|lobby|atrium|hallway|stairwell|"
    "warehouse|garage|shed|barn|stable|hangar|silo|tower|lighthouse|mall|arcade",
    "natural": "hill|hills|valley|meadow|grove|wood|woods|field|fields|plain|plains|moor|"
    "heath|dale|vale|glen|hollow|ridge|mountain|peak|rock|rocks|stone|stones|crag|"
    "forest|wild|wilds|wilderness|nature|land|lands|country|countryside|outdoors|"
    "grass|grassland|prairie|tundra|steppe|savanna|jungle|desert|dune|canyon|"
    "garden|park|orchard|farm|ranch|pasture|trail|path|track|clearing|thicket|"
    "glade|copse|hedge|hedgerow|bush|scrub|cliff|cave|mound|knoll|hilltop|summit",
    "water": "water|waters|sea|ocean|lake|loch|lough|river|stream|creek|brook|pond|pool|bay|"
    "harbour|harbor|port|coast|shore|beach|surf|waves|tide|cove|inlet|sound|strait|"
    "channel|canal|lagoon|marsh|swamp|spring|falls|waterfall|rapids|dam|reservoir|"
    "wharf|pier|dock|marina|quay|island|isle|atoll|reef|fjord|estuary|delta|"
    "underwater|seabed|riverbed|fountain|well|aquarium|bath|baths",
    "vehicle": "vehicle|auto|automobile|motor|wagon|carriage|coach|bus|train|tram|car|cab|"
    "taxi|truck|lorry|van|jeep|limo|pickup|motorcycle|bike|bicycle|scooter|moped|"
    "sled|sleigh|cart|buggy|chariot|rickshaw|tank|plane|jet|helicopter|chopper|"
    "boat|ship|ferry|yacht|raft|canoe|submarine|shuttle|rocket|spacecraft|pod|"
    "capsule|elevator|cockpit|cabin|gondola|train car|convoy|caravan|rv|trailer",
}
# the name endings of places: "HOLLOWBROOK", "MILLTOWN", "ASHFIELD"
ENDINGS: dict[str, tuple[str, ...]] = {
    "water": (
        "brook",
        "water",
        "lake",
        "pool",
        "bay",
        "port",
        "mouth",
        "ford",
        "burn",
        "beck",
        "marsh",
        "mere",
        "sea",
        "shore",
        "haven",
    ),
    "natural": (
        "wood",
        "woods",
        "field",
        "land",
        "hill",
        "dale",
        "vale",
        "moor",
        "ridge",
        "grove",
        "heath",
        "glen",
        "hurst",
        "den",
        "combe",
        "tor",
    ),
    "built": (
        "ton",
        "ville",
        "burg",
        "burgh",
        "bury",
        "borough",
        "town",
        "city",
        "polis",
        "stead",
        "ham",
        "wick",
        "chester",
        "caster",
        "ery",
        "arium",
        "orium",
        "plex",
        "hall",
        "house",
        "mart",
        "works",
        "stadt",
        "ing",
    ),
}
# words that say which side of the wall a heading without INT./EXT. is on
INSIDE = frozenset(
    [
        "inside",
        "interior",
        "indoors",
        "in",
        "within",
        "into",
        "cabin",
        "room",
        "hall",
        "hallway",
        "corridor",
        "office",
        "kitchen",
        "bedroom",
        "bathroom",
        "cell",
        "lobby",
        "basement",
        "attic",
        "cellar",
        "upstairs",
        "downstairs",
        "backstage",
        "compartment",
        "cockpit",
        "hold",
    ]
)
OUTSIDE = frozenset(
    [
        "outside",
        "exterior",
        "outdoors",
        "out",
        "deck",
        "yard",
        "street",
        "roof",
        "rooftop",
        "garden",
        "field",
        "sky",
        "beach",
        "road",
        "porch",
        "lawn",
        "driveway",
        "courtyard",
        "patio",
        "alley",
        "parking",
        "grounds",
        "open",
    ]
)
