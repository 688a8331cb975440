/**
 * Invented names for the demo: common first names and surnames combined at random, by family
 * background, with the DfE ethnicity codes the school census uses. No name comes from the seed
 * policies, and combinations that name a well-known person are refused (`isFamous`).
 */

export type Gender = 'F' | 'M';

export interface Background {
  /** DfE ethnicity code (school census). */
  readonly ethnicity: string;
  /** Share of pupils (weights, any scale). */
  readonly weight: number;
  /** Probability that a pupil of this background has English as an additional language. */
  readonly eal: number;
  readonly names: NamePool;
}

export interface NamePool {
  readonly female: readonly string[];
  readonly male: readonly string[];
  readonly surnames: readonly string[];
}

const BRITISH: NamePool = {
  female: [
    'Olivia', 'Amelia', 'Isla', 'Ava', 'Ivy', 'Freya', 'Lily', 'Florence', 'Mia', 'Willow', 'Rosie', 'Sophia',
    'Isabella', 'Grace', 'Daisy', 'Sienna', 'Poppy', 'Elsie', 'Evie', 'Ella', 'Phoebe', 'Harper', 'Matilda',
    'Millie', 'Ruby', 'Alice', 'Emily', 'Esme', 'Ellie', 'Maisie', 'Hallie', 'Eliza', 'Isabelle', 'Erin',
    'Scarlett', 'Penelope', 'Bonnie', 'Robyn', 'Imogen', 'Harriet', 'Lottie', 'Georgia', 'Molly', 'Holly',
    'Jessica', 'Chloe', 'Megan', 'Lucy', 'Hannah', 'Abigail', 'Bethany', 'Caitlin', 'Lauren', 'Niamh', 'Amber',
    'Eleanor', 'Martha', 'Beatrice', 'Edith', 'Ada', 'Nancy', 'Violet', 'Iris', 'Orla', 'Thea', 'Connie',
  ],
  male: [
    'Oliver', 'George', 'Noah', 'Arthur', 'Leo', 'Oscar', 'Harry', 'Archie', 'Jack', 'Henry', 'Charlie', 'Freddie',
    'Theodore', 'Thomas', 'Finley', 'Theo', 'Alfie', 'Jacob', 'Isaac', 'Tommy', 'Joshua', 'Edward', 'Arlo',
    'Albie', 'Max', 'Lucas', 'Reggie', 'Jude', 'Ronnie', 'Teddy', 'Elijah', 'Louie', 'Hugo', 'Harrison', 'Ethan',
    'Samuel', 'Benjamin', 'Daniel', 'Joseph', 'William', 'Alexander', 'Dylan', 'Riley', 'Toby', 'Jenson',
    'Logan', 'Mason', 'Kai', 'Callum', 'Lewis', 'Ryan', 'Connor', 'Liam', 'Owen', 'Rhys', 'Ellis', 'Stanley',
    'Albert', 'Frankie', 'Bobby', 'Rory', 'Felix', 'Sebastian', 'Jasper', 'Ezra', 'Otis', 'Caleb',
  ],
  surnames: [
    'Smith', 'Williams', 'Davies', 'Evans', 'Thomas', 'Roberts', 'Walker', 'Wright', 'Robinson', 'Thompson',
    'White', 'Hughes', 'Edwards', 'Green', 'Hall', 'Wood', 'Harris', 'Jackson', 'Clarke', 'Turner', 'Hill',
    'Cooper', 'Morris', 'Baker', 'Morgan', 'Young', 'Allen', 'Mitchell', 'Phillips', 'Bell', 'Shaw', 'Cook',
    'Richardson', 'Bailey', 'Marshall', 'Griffiths', 'Carter', 'Collins', 'Chapman', 'Ellis', 'Mason', 'Fox',
    'Hunt', 'Lloyd', 'Pearson', 'Holt', 'Barker', 'Atkinson', 'Dixon', 'Fletcher', 'Bennett', 'Booth', 'Lawson',
    'Dawson', 'Hodgson', 'Ashworth', 'Whitfield', 'Pilling', 'Kershaw', 'Sutcliffe', 'Brierley', 'Haworth',
    'Hartley', 'Greenwood', 'Crossley', 'Lumb', 'Ackroyd', 'Birtwistle', 'Entwistle', 'Holroyd', 'Rushworth',
    'Stansfield', 'Thwaite', 'Wadsworth', 'Bamford', 'Buckley', 'Cartwright', 'Dyson', 'Firth', 'Gledhill',
    'Horsfall', 'Illingworth', 'Lockwood', 'Midgley', 'Naylor', 'Oldroyd', 'Priestley', 'Ramsden', 'Schofield',
    'Tattersall', 'Uttley', 'Walsh', 'Yeadon', 'Bradshaw', 'Clough', 'Hargreaves', 'Pickles', 'Rowbotham',
    'Stott', 'Waddington', 'Aspinall', 'Brockbank', 'Cowell', 'Duckworth', 'Fairclough', 'Heap', 'Mellor',
  ],
};

const IRISH: NamePool = {
  female: ['Aoife', 'Niamh', 'Ciara', 'Saoirse', 'Roisin', 'Siobhan', 'Grainne', 'Orla', 'Sinead', 'Clodagh', 'Aisling', 'Eimear'],
  male: ['Cian', 'Oisin', 'Conor', 'Darragh', 'Ronan', 'Eoin', 'Padraig', 'Fionn', 'Cathal', 'Donal', 'Ruairi', 'Tadhg'],
  surnames: ['Byrne', 'Doyle', 'Gallagher', 'Kavanagh', 'Brennan', 'Quinlan', 'Fitzgerald', 'Donnelly', 'Mulligan', 'Hennessy', 'Keane', 'Lynch'],
};

const EAST_EUROPEAN: NamePool = {
  female: ['Zofia', 'Oliwia', 'Maja', 'Lena', 'Hanna', 'Julia', 'Zuzanna', 'Ioana', 'Daria', 'Eliza', 'Alina', 'Natalia', 'Emilia'],
  male: ['Jakub', 'Filip', 'Szymon', 'Mateusz', 'Antoni', 'Kacper', 'Andrei', 'Matei', 'Bogdan', 'Tomasz', 'Marek', 'Lukas', 'Dawid'],
  surnames: ['Nowak', 'Kowalczyk', 'Mazur', 'Krawczyk', 'Popescu', 'Ionescu', 'Dumitru', 'Horvath', 'Kovacs', 'Pavlenko', 'Zielinski', 'Wozniak', 'Sadowski'],
};

const INDIAN: NamePool = {
  female: ['Priya', 'Anika', 'Diya', 'Isha', 'Sanvi', 'Kavya', 'Meera', 'Riya', 'Simran', 'Jasleen', 'Navneet', 'Anaya'],
  male: ['Arjun', 'Aarav', 'Rohan', 'Dev', 'Vihaan', 'Kabir', 'Nikhil', 'Harjot', 'Gurpreet', 'Ishaan', 'Jai', 'Karan'],
  surnames: ['Sharma', 'Mistry', 'Joshi', 'Desai', 'Mehta', 'Sandhu', 'Dhillon', 'Bains', 'Chauhan', 'Parmar', 'Lakhani', 'Thakrar'],
};

const PAKISTANI: NamePool = {
  female: ['Aisha', 'Maryam', 'Fatima', 'Zara', 'Hafsa', 'Inaya', 'Khadija', 'Eshal', 'Hania', 'Alisha', 'Safiya', 'Mahnoor', 'Anum'],
  male: ['Muhammad', 'Ayaan', 'Hamza', 'Ibrahim', 'Yusuf', 'Zain', 'Musa', 'Haris', 'Rayan', 'Abdullah', 'Bilal', 'Usman', 'Talha'],
  surnames: ['Hussain', 'Ahmed', 'Akhtar', 'Iqbal', 'Mahmood', 'Rashid', 'Qureshi', 'Aslam', 'Bashir', 'Nawaz', 'Siddiqui', 'Anwar', 'Rafiq'],
};

const BANGLADESHI: NamePool = {
  female: ['Safa', 'Tasnim', 'Sumaiya', 'Nusaiba', 'Raisa', 'Tahmina', 'Samiha', 'Afsana', 'Jannat', 'Ruqayyah'],
  male: ['Rayyan', 'Tahmid', 'Raihan', 'Sami', 'Arif', 'Nabil', 'Tanvir', 'Shahid', 'Fahim', 'Junaid'],
  surnames: ['Rahman', 'Miah', 'Uddin', 'Chowdhury', 'Hoque', 'Islam', 'Ahmed', 'Karim', 'Sarkar', 'Talukdar'],
};

const AFRICAN: NamePool = {
  female: ['Precious', 'Blessing', 'Favour', 'Esther', 'Abena', 'Ama', 'Chiamaka', 'Adaeze', 'Folake', 'Temi', 'Zainab', 'Grace'],
  male: ['Tobi', 'Emmanuel', 'Kofi', 'Kwame', 'Chidi', 'Tunde', 'Femi', 'Obinna', 'Kwabena', 'David', 'Samuel', 'Daniel'],
  surnames: ['Adeyemi', 'Mensah', 'Osei', 'Owusu', 'Adebayo', 'Okafor', 'Nwosu', 'Eze', 'Abiodun', 'Asante', 'Oyelaran', 'Danquah'],
};

const CARIBBEAN: NamePool = {
  female: ['Jada', 'Keisha', 'Tia', 'Shanice', 'Imani', 'Aaliyah', 'Jasmine', 'Nia', 'Kiara', 'Maya'],
  male: ['Jayden', 'Tyrell', 'Malachi', 'Jerome', 'Kai', 'Marley', 'Reuben', 'Isaiah', 'Andre', 'Jamal'],
  surnames: ['Grant', 'Reid', 'Francis', 'Henry', 'Gayle', 'Forbes', 'Whyte', 'McKenzie', 'Samuels', 'Bailey'],
};

const CHINESE: NamePool = {
  female: ['Mei', 'Jia', 'Xin', 'Yan', 'Lin', 'Chloe', 'Grace', 'Emily', 'Hui', 'Ling'],
  male: ['Hao', 'Jun', 'Wei', 'Ming', 'Yang', 'Kevin', 'Ethan', 'Ryan', 'Bo', 'Chen'],
  surnames: ['Chen', 'Wang', 'Zhang', 'Liu', 'Huang', 'Wong', 'Cheung', 'Zhou', 'Xu', 'Ng'],
};

const MIDDLE_EASTERN: NamePool = {
  female: ['Layla', 'Noor', 'Sara', 'Rania', 'Yasmin', 'Dana', 'Lina', 'Amira'],
  male: ['Omar', 'Ahmad', 'Karim', 'Yousef', 'Adam', 'Rami', 'Samir', 'Idris'],
  surnames: ['Karimi', 'Hassan', 'Saleh', 'Mohammadi', 'Haddad', 'Rostami', 'Aziz', 'Barzani'],
};

/** Backgrounds with DfE ethnicity codes, weighted roughly like an English town. */
export const BACKGROUNDS: readonly Background[] = [
  { ethnicity: 'WBRI', weight: 600, eal: 0.01, names: BRITISH },
  { ethnicity: 'WIRI', weight: 15, eal: 0, names: IRISH },
  { ethnicity: 'WOTH', weight: 70, eal: 0.75, names: EAST_EUROPEAN },
  { ethnicity: 'MWBC', weight: 20, eal: 0.02, names: BRITISH },
  { ethnicity: 'MWBA', weight: 10, eal: 0.1, names: BRITISH },
  { ethnicity: 'MWAS', weight: 15, eal: 0.1, names: BRITISH },
  { ethnicity: 'MOTH', weight: 15, eal: 0.15, names: BRITISH },
  { ethnicity: 'AIND', weight: 25, eal: 0.6, names: INDIAN },
  { ethnicity: 'APKN', weight: 55, eal: 0.7, names: PAKISTANI },
  { ethnicity: 'ABAN', weight: 20, eal: 0.7, names: BANGLADESHI },
  { ethnicity: 'AOTH', weight: 10, eal: 0.6, names: MIDDLE_EASTERN },
  { ethnicity: 'BAFR', weight: 40, eal: 0.55, names: AFRICAN },
  { ethnicity: 'BCRB', weight: 15, eal: 0, names: CARIBBEAN },
  { ethnicity: 'BOTH', weight: 5, eal: 0.3, names: AFRICAN },
  { ethnicity: 'CHNE', weight: 10, eal: 0.6, names: CHINESE },
  { ethnicity: 'OOTH', weight: 10, eal: 0.6, names: MIDDLE_EASTERN },
  { ethnicity: 'NOBT', weight: 10, eal: 0.02, names: BRITISH },
  { ethnicity: 'REFU', weight: 5, eal: 0.02, names: BRITISH },
];

/** Everyday short forms some pupils go by (their preferred forename). */
export const SHORT_FORMS: Readonly<Record<string, string>> = {
  Alexander: 'Alex',
  Benjamin: 'Ben',
  Samuel: 'Sam',
  William: 'Will',
  Thomas: 'Tom',
  Joshua: 'Josh',
  Daniel: 'Dan',
  Theodore: 'Teddy',
  Isabella: 'Bella',
  Eleanor: 'Ellie',
  Abigail: 'Abbie',
  Penelope: 'Penny',
  Matilda: 'Tilly',
  Florence: 'Flo',
  Muhammad: 'Mo',
  Oliwia: 'Oli',
};

/** Given names for adults (parents, carers, staff), who belong to older generations. */
export const ADULT_NAMES: NamePool = {
  female: [
    'Sarah', 'Emma', 'Laura', 'Rachel', 'Claire', 'Nicola', 'Joanne', 'Kelly', 'Gemma', 'Lisa', 'Rebecca', 'Hayley',
    'Natalie', 'Donna', 'Helen', 'Amanda', 'Kirsty', 'Leanne', 'Danielle', 'Zoe', 'Jenna', 'Charlotte', 'Victoria',
    'Samantha', 'Louise', 'Catherine', 'Julie', 'Karen', 'Tracey', 'Michelle', 'Anne', 'Susan', 'Carol', 'Janet',
  ],
  male: [
    'Mark', 'Paul', 'Andrew', 'Richard', 'Stephen', 'Craig', 'Darren', 'Neil', 'Gareth', 'Lee', 'Matthew', 'Adam',
    'Christopher', 'Jonathan', 'Simon', 'Martin', 'Stuart', 'Wayne', 'Dean', 'Carl', 'Shaun', 'Jason', 'Anthony',
    'Robert', 'Michael', 'Graham', 'Keith', 'Colin', 'Brian', 'Trevor', 'Kevin', 'Barry', 'Nigel', 'Philip',
  ],
  surnames: BRITISH.surnames,
};

/**
 * Well-known people whose names these lists could combine into. A generated name in this list
 * is redrawn. Lower case, "forename surname".
 */
const FAMOUS = new Set(
  [
    'tom jones', 'harry styles', 'emma watson', 'lewis hamilton', 'andy murray', 'emma thompson', 'ed sheeran',
    'harry kane', 'jamie oliver', 'james may', 'mary berry', 'paul hollywood', 'jack grealish', 'phil foden',
    'jordan henderson', 'jordan pickford', 'kyle walker', 'john stones', 'harry maguire', 'luke shaw',
    'marcus rashford', 'raheem sterling', 'declan rice', 'jude bellingham', 'tom daley', 'chris evans',
    'ben stokes', 'joe root', 'stuart broad', 'david beckham', 'victoria beckham', 'wayne rooney', 'steven gerrard',
    'frank lampard', 'alan shearer', 'john terry', 'rio ferdinand', 'ian wright', 'mark wright', 'chris martin',
    'tom fletcher', 'danny jones', 'olly murs', 'louis tomlinson', 'liam payne', 'niall horan', 'sam smith',
    'george ezra', 'lily allen', 'boris johnson', 'theresa may', 'david cameron', 'gordon brown', 'tony blair',
    'john major', 'keir starmer', 'rishi sunak', 'liz truss', 'andy burnham', 'ed miliband', 'nick clegg',
    'angela rayner', 'rachel reeves', 'yvette cooper', 'jeremy hunt', 'dan walker', 'gary barlow',
    'robbie williams', 'mark owen', 'joe wicks', 'tom holland', 'daniel radcliffe', 'michael caine',
    'maggie smith', 'kate moss', 'joe cole', 'ashley cole', 'andy cole', 'cheryl cole', 'alex scott', 'jill scott',
    'leah williamson', 'ellen white', 'chloe kelly', 'lauren james', 'reece james', 'laura kenny', 'jason kenny',
    'chris hoy', 'adam peaty', 'owen farrell', 'katie taylor', 'roger taylor', 'tom parker', 'ben shephard',
    'kelly holmes', 'emma bunton', 'paul smith', 'john lewis', 'james martin', 'david mitchell', 'harry hill',
    'lee mack', 'greg davies', 'alex horne', 'rob beckett', 'joe lycett', 'tom allen', 'matt lucas', 'kevin bridges',
    'harry potter', 'james bond', 'sherlock holmes', 'john watson', 'oliver twist', 'bridget jones', 'peter rabbit',
    'tom walker', 'tom grennan', 'james bay', 'charlie simpson', 'calvin harris', 'mason mount', 'bukayo saka',
    'ellie goulding', 'harry judd', 'daisy edgar', 'lucy bronze', 'beth mead', 'jessica ennis', 'mo farah',
    'sam ryder', 'jack whitehall', 'peter kay', 'alan carr', 'james corden', 'ben whishaw', 'adam thomas',
    'ryan thomas', 'scott mills', 'gemma collins', 'mark wood', 'jonny bairstow', 'chris woakes', 'kevin walker',
    'richard hammond', 'jeremy clarkson', 'david walliams', 'paul merson', 'daniel sturridge', 'theo walcott',
    'emily thornberry', 'amir khan', 'sadiq khan', 'zayn malik', 'nadiya hussain', 'karim benzema', 'paul rudd',
    'grace jones', 'adam green', 'kate winslet', 'david davies', 'william morris', 'charlie cooper', 'tommy robinson',
    'edward walker', 'tom hardy', 'gary neville', 'phil neville', 'owen wilson', 'rachel riley', 'susan boyle',
  ].map((n) => n.toLowerCase()),
);

/** True when "forename surname" names a well-known person the lists could produce. */
export function isFamous(forename: string, surname: string): boolean {
  return FAMOUS.has(`${forename} ${surname}`.toLowerCase());
}
