"""A spider class for every portal profile with a [crawl] section: a new portal is a new profile
(plus fixtures), not new code. The spider's name is the profile's name."""
from cleaners import ProfileRegistry

from .base import PortalSpider


def _spider_class(profile) -> type[PortalSpider]:
    class_name = "".join(part.capitalize() for part in profile.name.replace("_", "-").split("-")) + "Spider"
    extra = {"incremental": True} if profile.crawl.get("incremental") else {}  # `[crawl] incremental = true`
    return type(class_name, (PortalSpider,), {
        **extra, "name": profile.name, "profile": profile, "__module__": __name__,
        "__doc__": f"Spider for {profile.description or profile.name} (profile {profile.source_path}).",
    })


globals().update({cls.__name__: cls for cls in (
    _spider_class(profile) for profile in ProfileRegistry.default() if profile.crawl.get("start_urls"))})
