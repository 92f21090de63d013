// The snippets that embed a person's badge and card elsewhere (a README, a wiki page):
// shown on /settings beside the "public badge" opt-in and on one's own profile.
export function badgeEmbed(baseUrl: string, login: string) {
  const profile = `${baseUrl}/u/${encodeURIComponent(login)}`;
  const badge = `${profile}/badge.svg`;
  const card = `${profile}/card.svg`;
  return {
    badge_url: `/u/${encodeURIComponent(login)}/badge.svg`,
    card_url: `/u/${encodeURIComponent(login)}/card.svg`,
    markdown: `[![AI tokens](${badge})](${profile})`,
    html: `<a href="${profile}"><img src="${badge}" alt="AI tokens"></a>`,
    card_markdown: `[![TokenBoard card](${card})](${profile})`,
  };
}
