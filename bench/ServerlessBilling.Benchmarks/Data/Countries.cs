namespace ServerlessBilling.Benchmarks.Data;

/// <summary>ITU country calling codes with names (some with commas, as real decks have) and a rough traffic weight.</summary>
internal static class Countries
{
    public static readonly IReadOnlyList<(string Code, string Name, int Weight)> All =
    [
        ("1", "United States/Canada", 40), ("7", "Russia/Kazakhstan", 12), ("20", "Egypt", 4), ("27", "South Africa", 4),
        ("30", "Greece", 3), ("31", "Netherlands", 6), ("32", "Belgium", 4), ("33", "France", 12), ("34", "Spain", 10),
        ("36", "Hungary", 3), ("39", "Italy", 10), ("40", "Romania", 4), ("41", "Switzerland", 4), ("43", "Austria", 3),
        ("44", "United Kingdom", 20), ("45", "Denmark", 3), ("46", "Sweden", 4), ("47", "Norway", 3), ("48", "Poland", 6),
        ("49", "Germany", 14), ("51", "Peru", 3), ("52", "Mexico", 8), ("53", "Cuba", 2), ("54", "Argentina", 4),
        ("55", "Brazil", 10), ("56", "Chile", 3), ("57", "Colombia", 4), ("58", "Venezuela", 2), ("60", "Malaysia", 4),
        ("61", "Australia", 6), ("62", "Indonesia", 8), ("63", "Philippines", 6), ("64", "New Zealand", 2),
        ("65", "Singapore", 3), ("66", "Thailand", 4), ("81", "Japan", 8), ("82", "Korea, Republic of", 6),
        ("84", "Viet Nam", 5), ("86", "China", 16), ("90", "Turkey", 6), ("91", "India", 16), ("92", "Pakistan", 6),
        ("93", "Afghanistan", 2), ("94", "Sri Lanka", 2), ("95", "Myanmar", 2), ("98", "Iran, Islamic Republic of", 3),
        ("211", "South Sudan", 1), ("212", "Morocco", 3), ("213", "Algeria", 2), ("216", "Tunisia", 2), ("218", "Libya", 1),
        ("220", "Gambia", 1), ("221", "Senegal", 2), ("222", "Mauritania", 1), ("223", "Mali", 1), ("224", "Guinea", 1),
        ("225", "Cote d'Ivoire", 2), ("226", "Burkina Faso", 1), ("227", "Niger", 1), ("228", "Togo", 1), ("229", "Benin", 1),
        ("230", "Mauritius", 1), ("231", "Liberia", 1), ("232", "Sierra Leone", 1), ("233", "Ghana", 2), ("234", "Nigeria", 4),
        ("235", "Chad", 1), ("236", "Central African Republic", 1), ("237", "Cameroon", 2), ("238", "Cape Verde", 1),
        ("239", "Sao Tome and Principe", 1), ("240", "Equatorial Guinea", 1), ("241", "Gabon", 1), ("242", "Congo", 1),
        ("243", "Congo, Democratic Republic of the", 2), ("244", "Angola", 1), ("245", "Guinea-Bissau", 1), ("248", "Seychelles", 1),
        ("249", "Sudan", 1), ("250", "Rwanda", 1), ("251", "Ethiopia", 2), ("252", "Somalia", 1), ("253", "Djibouti", 1),
        ("254", "Kenya", 2), ("255", "Tanzania, United Republic of", 2), ("256", "Uganda", 2), ("257", "Burundi", 1),
        ("258", "Mozambique", 1), ("260", "Zambia", 1), ("261", "Madagascar", 1), ("262", "Reunion/Mayotte", 1),
        ("263", "Zimbabwe", 1), ("264", "Namibia", 1), ("265", "Malawi", 1), ("266", "Lesotho", 1), ("267", "Botswana", 1),
        ("268", "Eswatini", 1), ("269", "Comoros", 1), ("290", "Saint Helena", 1), ("291", "Eritrea", 1), ("297", "Aruba", 1),
        ("298", "Faroe Islands", 1), ("299", "Greenland", 1), ("350", "Gibraltar", 1), ("351", "Portugal", 4),
        ("352", "Luxembourg", 1), ("353", "Ireland", 3), ("354", "Iceland", 1), ("355", "Albania", 1), ("356", "Malta", 1),
        ("357", "Cyprus", 1), ("358", "Finland", 2), ("359", "Bulgaria", 2), ("370", "Lithuania", 1), ("371", "Latvia", 1),
        ("372", "Estonia", 1), ("373", "Moldova, Republic of", 1), ("374", "Armenia", 1), ("375", "Belarus", 1),
        ("376", "Andorra", 1), ("377", "Monaco", 1), ("378", "San Marino", 1), ("380", "Ukraine", 4), ("381", "Serbia", 2),
        ("382", "Montenegro", 1), ("383", "Kosovo", 1), ("385", "Croatia", 2), ("386", "Slovenia", 1),
        ("387", "Bosnia and Herzegovina", 1), ("389", "North Macedonia", 1), ("420", "Czech Republic", 3), ("421", "Slovakia", 2),
        ("423", "Liechtenstein", 1), ("500", "Falkland Islands", 1), ("501", "Belize", 1), ("502", "Guatemala", 2),
        ("503", "El Salvador", 1), ("504", "Honduras", 1), ("505", "Nicaragua", 1), ("506", "Costa Rica", 1), ("507", "Panama", 1),
        ("509", "Haiti", 1), ("590", "Guadeloupe", 1), ("591", "Bolivia", 1), ("592", "Guyana", 1), ("593", "Ecuador", 2),
        ("595", "Paraguay", 1), ("596", "Martinique", 1), ("597", "Suriname", 1), ("598", "Uruguay", 1), ("670", "Timor-Leste", 1),
        ("673", "Brunei", 1), ("675", "Papua New Guinea", 1), ("676", "Tonga", 1), ("679", "Fiji", 1), ("685", "Samoa", 1),
        ("691", "Micronesia, Federated States of", 1), ("850", "Korea, Democratic People's Republic of", 1), ("852", "Hong Kong", 3),
        ("853", "Macao", 1), ("855", "Cambodia", 1), ("856", "Laos", 1), ("880", "Bangladesh", 4), ("886", "Taiwan", 3),
        ("960", "Maldives", 1), ("961", "Lebanon", 1), ("962", "Jordan", 1), ("963", "Syria", 1), ("964", "Iraq", 2),
        ("965", "Kuwait", 1), ("966", "Saudi Arabia", 3), ("967", "Yemen", 1), ("968", "Oman", 1), ("970", "Palestine", 1),
        ("971", "United Arab Emirates", 3), ("972", "Israel", 2), ("973", "Bahrain", 1), ("974", "Qatar", 1), ("975", "Bhutan", 1),
        ("976", "Mongolia", 1), ("977", "Nepal", 2), ("992", "Tajikistan", 1), ("993", "Turkmenistan", 1), ("994", "Azerbaijan", 1),
        ("995", "Georgia", 1), ("996", "Kyrgyzstan", 1), ("998", "Uzbekistan", 1),
    ];

    /// <summary>A called-number prefix that no country code starts, so calls to it are not rated.</summary>
    public const string Unassigned = "999";
}
