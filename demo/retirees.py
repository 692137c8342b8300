"""Deterministic demo data shaped like the report the product grew from.

Seven branches and 487 retirees (a few retired cadres, 137 living in the East and North family
areas), realistic but invented Chinese names, and a demo user for each role. The same seed
always gives the same people, so loading twice changes nothing.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from branches.models import Branch
from checkins.models import ContactLog
from checkins.services import checkin_state_refresh, weekly_reach_backfill
from retirees.choices import CareLevel, Category, Gender, LivingSituation, Relation, ResidenceArea
from retirees.models import HouseholdContact, Retiree
from retirees.services import retiree_set_search_keys
from retirees.validators import id_number_check_digit

DEMO_PASSWORD = "Outreach-demo-2026"
RETIREE_COUNT = 487
FAMILY_AREA_COUNT = 137
LIXIU_COUNT = 14
REFERENCE_DATE = datetime.date(2026, 6, 1)  # ages are laid out from this fixed date

BRANCH_NAMES = [
    # name, short name, list order (the numbered branches by their number, the named ones after)
    ("离退休第一党支部", "第一支部", 1),
    ("离退休第二党支部", "第二支部", 2),
    ("离退休第三党支部", "第三支部", 3),
    ("离退休第四党支部", "第四支部", 4),
    ("离退休第五党支部", "第五支部", 5),
    ("离休干部党支部", "离休支部", 100),
    ("家属区党支部", "家属区支部", 101),
]
# Common family names, with the ones pinyin gets wrong by default among them.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "单解仇查区"
)
GIVEN_CHARS = (
    "国建秀桂兰玉英华明文志淑德凤丽平振永春俊海荣红梅云芳琴金庆福清宝珍瑞家立新学光卫东晓林书秋雪松涛"
    "亚敏静燕伟军强勇刚毅宁安康乐和顺美惠慧颖洁素月霞桃莲菊兴中正鸿运昌茂盛成达良"
)
FORMER_UNITS = [
    "机械工程学院",
    "材料学院",
    "土木与资源工程学院",
    "计算机与通信工程学院",
    "数理学院",
    "经济管理学院",
    "外国语学院",
    "马克思主义学院",
    "图书馆",
    "校医院",
    "后勤集团",
    "教务处",
    "财务处",
    "附属中学",
    "校办工厂",
]
COMMUNITIES = ["学院路小区", "清河小区", "五道口嘉园", "北沙滩小区", "牡丹园", "志新村", "健翔园", "西三旗小区"]
DEMO_STAFF = [
    # username, family name, given name, role
    ("admin", "管", "理员", User.Role.ADMIN),
    ("office", "秦", "晓燕", User.Role.OFFICE),
    ("office2", "武", "志刚", User.Role.OFFICE),
]


@dataclass
class DemoSummary:
    branches: int
    users: int
    retirees: int
    contacts: int


class _Generator:
    def __init__(self, seed: int = 20220422):
        self.random = random.Random(seed)
        self.used_names: set[str] = set()
        self.used_phones: set[str] = set()

    def name(self) -> str:
        while True:
            surname = self.random.choice(SURNAMES)
            given = "".join(self.random.choice(GIVEN_CHARS) for _ in range(self.random.choice((1, 2, 2, 2))))
            name = surname + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def mobile(self) -> str:
        while True:
            number = self.random.choice(("135", "136", "138", "139", "150", "158", "186", "189")) + "".join(
                str(self.random.randint(0, 9)) for _ in range(8)
            )
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def landline(self) -> str:
        return "010" + str(self.random.randint(6000_0000, 8999_9999))

    def birth_date(self, min_age: int, max_age: int) -> datetime.date:
        age = self.random.randint(min_age, max_age)
        return REFERENCE_DATE - datetime.timedelta(days=age * 365 + self.random.randint(0, 364))

    def id_number(self, birth_date: datetime.date, gender: str, serial: int) -> str:
        sequence = serial % 500 * 2 + (1 if gender == Gender.MALE else 0)
        first17 = f"110108{birth_date:%Y%m%d}{sequence:03d}"
        return first17 + id_number_check_digit(first17)


def _retiree_rows(gen: _Generator, branches: list[Branch]) -> list[tuple[Retiree, list[HouseholdContact]]]:
    rows = []
    family_area_slots = set(gen.random.sample(range(RETIREE_COUNT), FAMILY_AREA_COUNT))
    lixiu_branch = branches[5]
    family_branch = branches[6]
    for index in range(RETIREE_COUNT):
        is_lixiu = index < LIXIU_COUNT
        gender = gen.random.choice((Gender.MALE, Gender.FEMALE))
        birth_date = gen.birth_date(94, 101) if is_lixiu else gen.birth_date(58, 96)
        age = (REFERENCE_DATE - birth_date).days // 365
        in_family_area = index in family_area_slots
        if is_lixiu:
            branch = lixiu_branch
        elif in_family_area and gen.random.random() < 0.4:
            branch = family_branch
        else:
            branch = branches[gen.random.randrange(5)]
        if age >= 88:
            care = gen.random.choices(CareLevel.values, weights=(3, 4, 3))[0]
        elif age >= 78:
            care = gen.random.choices(CareLevel.values, weights=(7, 2, 1))[0]
        else:
            care = gen.random.choices(CareLevel.values, weights=(18, 2, 0.3))[0]
        if care == CareLevel.DEPENDENT:
            living = gen.random.choice((LivingSituation.CAREGIVER, LivingSituation.CAREGIVER, LivingSituation.FAMILY))
        else:
            living = gen.random.choices(LivingSituation.values, weights=(2, 6, 2, 1))[0]
        if in_family_area:
            area = gen.random.choice((ResidenceArea.EAST, ResidenceArea.NORTH))
            community = "东家属区" if area == ResidenceArea.EAST else "北家属区"
            address = f"{gen.random.randint(1, 24)}号楼{gen.random.randint(1, 6)}单元{gen.random.randint(101, 602)}"
        else:
            area = ResidenceArea.OFF_CAMPUS
            community = gen.random.choice(COMMUNITIES)
            address = f"{community}{gen.random.randint(1, 30)}号楼{gen.random.randint(101, 1802)}"
        retiree = Retiree(
            name=gen.name(),
            gender=gender,
            birth_date=birth_date,
            category=Category.LIXIU if is_lixiu else Category.TUIXIU,
            former_unit=gen.random.choice(FORMER_UNITS),
            branch=branch,
            phone=gen.mobile() if gen.random.random() < 0.85 else "",
            phone_alt=gen.landline() if gen.random.random() < 0.4 else "",
            residence_area=area,
            community=community,
            address=address,
            living_situation=living,
            care_level=care,
            id_number=gen.id_number(birth_date, gender, index) if gen.random.random() < 0.6 else None,
            consent_given=True,
            consent_on=datetime.date(2022, 4, 25),
        )
        if not retiree.phone and not retiree.phone_alt:
            retiree.phone_alt = gen.landline()
        retiree_set_search_keys(retiree=retiree)
        contacts = []
        child = HouseholdContact(
            name=retiree.name[0] + gen.random.choice(GIVEN_CHARS) + gen.random.choice(GIVEN_CHARS),
            relation=Relation.CHILD,
            phone=gen.mobile(),
            lives_with_retiree=living == LivingSituation.FAMILY,
            is_primary=living != LivingSituation.CAREGIVER,
        )
        contacts.append(child)
        if living == LivingSituation.CAREGIVER:
            contacts.append(
                HouseholdContact(
                    name=gen.name(),
                    relation=Relation.CAREGIVER,
                    phone=gen.mobile(),
                    lives_with_retiree=True,
                    is_primary=True,
                    notes="住家保姆",
                )
            )
        rows.append((retiree, contacts))
    return rows


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create what is missing of the demo data; existing rows are left as they are."""
    gen = _Generator()
    branches = []
    for name, short, order in BRANCH_NAMES:
        branch, _created = Branch.objects.get_or_create(name=name, defaults={"short_name": short, "order": order})
        branches.append(branch)

    users = 0
    for username, family, given, role in DEMO_STAFF:
        users += _ensure_user(username, family, given, role=role)
    for number, branch in enumerate(branches, start=1):
        users += _ensure_user(
            f"sec{number}",
            *_split(gen.name()),
            role=User.Role.BRANCH,
            branch=branch,
            position=User.Position.SECRETARY,
            phone=gen.mobile(),
        )
        users += _ensure_user(
            f"com{number}",
            *_split(gen.name()),
            role=User.Role.BRANCH,
            branch=branch,
            position=User.Position.COMMITTEE,
            phone=gen.mobile(),
        )

    rows = _retiree_rows(gen, branches)
    existing = set(Retiree.objects.values_list("name", "birth_date"))
    new_rows = [(r, c) for r, c in rows if (r.name, r.birth_date) not in existing]
    # The bulk helper writes the change-history rows in bulk too (one "created" record each).
    bulk_create_with_history([retiree for retiree, _contacts in new_rows], Retiree, batch_size=500)
    contacts = []
    for retiree, retiree_contacts in new_rows:
        for contact in retiree_contacts:
            contact.retiree = retiree
            contacts.append(contact)
    bulk_create_with_history(contacts, HouseholdContact, batch_size=500)
    _demo_contact_history(gen, [retiree for retiree, _contacts in new_rows])
    # The weekly chart's rows for the calls above (written in bulk, past contact_log); for every
    # retiree, so that a demo loaded before the chart read these rows gets them too.
    weekly_reach_backfill()
    return DemoSummary(branches=len(branches), users=users, retirees=len(new_rows), contacts=len(contacts))


def _demo_contact_history(gen: _Generator, retirees: list[Retiree]) -> None:
    """Six weeks of calls before today, so that the dashboard, the call list and the chart show a
    branch at work: most retirees reached in their cycle, some due or overdue, a few unreachable."""
    now = timezone.localtime()
    callers = {}
    for user in User.objects.filter(role=User.Role.BRANCH).order_by("position", "username"):
        callers.setdefault(user.branch_id, user)
    logs = []
    for retiree in retirees:
        caller = callers.get(retiree.branch_id)
        if caller is None:
            continue
        kind = gen.random.random()
        days_back = sorted(gen.random.sample(range(1, 43), gen.random.randint(2, 6)), reverse=True)
        for index, days in enumerate(days_back):
            last = index == len(days_back) - 1
            nobody = (kind < 0.03 and index >= len(days_back) - 3) or (not last and gen.random.random() < 0.1)
            if last and kind > 0.25 and not nobody:
                days = gen.random.randint(0, 2)  # most were reached within the last few days
            at = (now - datetime.timedelta(days=days)).replace(
                hour=gen.random.randint(9, 17), minute=gen.random.choice((0, 15, 30, 45))
            )
            if at > now:
                at -= datetime.timedelta(days=1)
            logs.append(
                ContactLog(
                    retiree=retiree,
                    contacted_by=caller,
                    contacted_at=at,
                    contacted_on=timezone.localdate(at),
                    channel="phone",
                    reached="nobody" if nobody else gen.random.choice(("retiree", "retiree", "family")),
                    outcome="not_reached"
                    if nobody
                    else gen.random.choices(("all_well", "concern", "needs_help"), weights=(90, 7, 3))[0],
                    health_seen="" if nobody else gen.random.choice(("good", "good", "stable")),
                )
            )
    bulk_create_with_history(logs, ContactLog, batch_size=1000)
    for retiree in retirees:
        checkin_state_refresh(retiree=retiree, now=now)


def _split(name: str) -> tuple[str, str]:
    return name[0], name[1:]


def _ensure_user(username, last_name, first_name, *, role, branch=None, position="", phone="") -> int:
    if User.objects.filter(username=username).exists():
        return 0
    user = User(
        username=username,
        last_name=last_name,
        first_name=first_name,
        role=role,
        branch=branch,
        position=position,
        phone=phone,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
        email=f"{username}@example.edu.cn",
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return 1
