from collections import Counter

from django.utils import timezone

from fupin.demo import workflows
from fupin.demo.projects import create_projects
from fupin.procedures.models import NoticeKind, NoticeStatus
from fupin.projects import services
from fupin.projects.models import LibraryStatus, Project, ProjectStatus


def test_demo_projects_span_the_stages(users, regions, make_household):
    for village in ("village_a1", "village_b1"):
        for status in ("2", "1", ""):
            make_household(regions[village], status=status)
    assert create_projects(workflows.village_actors(), timezone.localdate()) == 15
    statuses = Counter(Project.objects.values_list("status", flat=True))
    assert statuses[ProjectStatus.IN_PROGRESS] == 3 and statuses[ProjectStatus.ACCEPTED] == 2
    assert statuses[ProjectStatus.APPROVED] == 3 and statuses[ProjectStatus.REJECTED] == 1
    assert Project.objects.filter(library_status=LibraryStatus.OUT).count() == 1
    approved = Project.objects.filter(status=ProjectStatus.APPROVED).first()
    kinds = {n.kind for n in services.project_notices(approved).filter(status=NoticeStatus.PUBLISHED)}
    assert kinds == {NoticeKind.PUBLICITY, NoticeKind.ANNOUNCEMENT} or approved.region.level == 4
    accepted = Project.objects.filter(status=ProjectStatus.ACCEPTED).first()
    assert accepted.progress == 100 and accepted.acceptances.get().documents.count() == 1
    assert accepted.beneficiaries.exists()
